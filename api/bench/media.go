package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// media is a local media server: files generated with ffmpeg, served on
// 127.0.0.1 with Range support, optionally throttled (?bps=N).
type media struct {
	dir  string
	url  string
	srv  *http.Server
	file string // the generated video's name
}

// newMedia generates a video of seconds length and serves it.
func newMedia(ctx context.Context, seconds int, bitrate string) (*media, error) {
	dir, err := os.MkdirTemp("", "downlink-bench-media-")
	if err != nil {
		return nil, err
	}
	m := &media{dir: dir, file: "video.mp4"}
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=duration=%d:size=640x360:rate=25", seconds),
		"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:duration=%d", seconds),
		"-c:v", "libx264", "-preset", "ultrafast", "-b:v", bitrate, "-c:a", "aac", "-shortest",
		"-metadata", "title=Bench Clip", filepath.Join(dir, m.file))
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ffmpeg: %v: %s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	m.url = "http://" + ln.Addr().String()
	m.srv = &http.Server{Handler: http.HandlerFunc(m.serve), ReadHeaderTimeout: 10 * time.Second}
	go m.srv.Serve(ln)
	return m, nil
}

func (m *media) serve(w http.ResponseWriter, r *http.Request) {
	name := filepath.Base(r.URL.Path)
	if name == "feed.xml" {
		m.serveFeed(w, r)
		return
	}
	f, err := os.Open(filepath.Join(m.dir, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, _ := f.Stat()
	w.Header().Set("Content-Type", "video/mp4")
	if bps, _ := strconv.Atoi(r.URL.Query().Get("bps")); bps > 0 {
		http.ServeContent(&throttled{ResponseWriter: w, bps: bps}, r, name, st.ModTime(), f)
		return
	}
	http.ServeContent(w, r, name, st.ModTime(), f)
}

// URL returns the video's URL; bps > 0 throttles it.
func (m *media) URL(bps int, salt string) string {
	u := m.url + "/" + m.file
	q := []string{}
	if bps > 0 {
		q = append(q, "bps="+strconv.Itoa(bps))
	}
	if salt != "" {
		q = append(q, "n="+salt)
	}
	if len(q) > 0 {
		u += "?" + strings.Join(q, "&")
	}
	return u
}

func (m *media) size() int64 {
	st, err := os.Stat(filepath.Join(m.dir, m.file))
	if err != nil {
		return 0
	}
	return st.Size()
}

func (m *media) close() {
	_ = m.srv.Close()
	os.RemoveAll(m.dir)
}

// throttled writes at most bps bytes per second.
type throttled struct {
	http.ResponseWriter
	bps int
}

func (t *throttled) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		n := min(len(p), t.bps/10+1)
		k, err := t.ResponseWriter.Write(p[:n])
		written += k
		if err != nil {
			return written, err
		}
		if f, ok := t.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		p = p[n:]
		// Sleep for what n bytes take at bps, whatever the write sizes.
		time.Sleep(time.Duration(n) * time.Second / time.Duration(t.bps))
	}
	return written, nil
}

var _ io.Writer = (*throttled)(nil)
