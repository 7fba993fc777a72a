// Command standin serves yt-dlp's GitHub releases locally (releasetest's
// stand-in), to try Downlink's managed yt-dlp by hand or from the browser
// journey without reaching GitHub:
//
//	go run ./api/internal/ytdlp/managed/releasetest/standin -version 2030.01.01
//
// It prints one JSON line — the base URL and the file holding the test
// signing key — and serves until stopped. Point a server at it with
// DOWNLINK_YTDLP_RELEASES_API and DOWNLINK_YTDLP_RELEASES_DOWNLOAD (the
// URL) and DOWNLINK_YTDLP_SIGNING_KEY (the key file). POST
// /_standin/publish?version=V[&fault=bad_signature|checksum_mismatch]
// publishes a newer release (tampered with, when fault says so).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/downlink/downlink/api/internal/ytdlp/managed"
	"github.com/downlink/downlink/api/internal/ytdlp/managed/releasetest"
)

// fatal is releasetest.TB outside a test: failures end the process.
type fatal struct{ cleanups []func() }

func (*fatal) Helper()                      {}
func (*fatal) Fatal(args ...any)            { log.Fatal(args...) }
func (*fatal) Fatalf(f string, args ...any) { log.Fatalf(f, args...) }
func (f *fatal) Cleanup(fn func())          { f.cleanups = append(f.cleanups, fn) }
func (f *fatal) TempDir() string {
	d, err := os.MkdirTemp("", "ytdlp-standin-")
	if err != nil {
		log.Fatal(err)
	}
	f.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}

func main() {
	version := flag.String("version", "2030.01.01", "the first release published as latest")
	addr := flag.String("addr", "127.0.0.1:0", "where to listen (the printed url)")
	flag.Parse()
	if !managed.ValidVersion(*version) {
		log.Fatalf("-version %q is not a yt-dlp version", *version)
	}
	tb := &fatal{}
	key := releasetest.TestKey(tb)
	srv := releasetest.NewServer(tb)
	srv.Publish(releasetest.NewRelease(tb, key, *version, nil))

	// The control endpoint and the releases share one address: /_standin/
	// here, everything else to the stand-in.
	target, _ := url.Parse(srv.URL)
	mux := http.NewServeMux()
	mux.Handle("/", httputil.NewSingleHostReverseProxy(target))
	mux.HandleFunc("POST /_standin/publish", func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query().Get("version")
		if !managed.ValidVersion(v) {
			http.Error(w, "version is not a yt-dlp version", http.StatusBadRequest)
			return
		}
		rel := releasetest.NewRelease(tb, key, v, nil)
		switch r.URL.Query().Get("fault") {
		case "":
		case "bad_signature":
			rel.Sign(tb, releasetest.OtherKey(tb))
		case "checksum_mismatch":
			rel.Files[releasetest.Asset()] = append(rel.Files[releasetest.Asset()], []byte("# tampered\n")...)
		default:
			http.Error(w, "fault is bad_signature or checksum_mismatch", http.StatusBadRequest)
			return
		}
		srv.Publish(rel)
		w.WriteHeader(http.StatusNoContent)
	})
	front := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	keyFile := key.WritePublic(tb)
	_ = json.NewEncoder(os.Stdout).Encode(map[string]string{"url": "http://" + ln.Addr().String(), "key_file": keyFile, "version": *version})
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
		<-stop
		_ = front.Close()
	}()
	if err := front.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
	for _, f := range tb.cleanups {
		f()
	}
	fmt.Fprintln(os.Stderr, "standin stopped")
}
