package managed_test

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/downlink/downlink/api/internal/ytdlp/managed"
	"github.com/downlink/downlink/api/internal/ytdlp/managed/releasetest"
)

// BenchmarkUpdate measures what one update costs: resolve, download the
// build from 127.0.0.1, check the signature and SHA-256, run --version,
// switch, and remove the version two updates back. The build is the test
// zipapp (~6 MB); a real yt-dlp_linux is larger, so its download and hash
// take longer in proportion. Reported: the build's size, and the tools
// folder's size after the update (the active and previous versions).
//
//	go test -run '^$' -bench BenchmarkUpdate -benchtime 10x ./api/internal/ytdlp/managed/
func BenchmarkUpdate(b *testing.B) {
	srv := releasetest.NewServer(b)
	key := releasetest.TestKey(b)
	dir := b.TempDir()
	in, err := managed.NewInstaller(managed.Config{
		Dir:      dir,
		Releases: managed.NewReleases(managed.ReleasesConfig{APIBase: srv.URL, DownloadBase: srv.URL}),
		Keyring:  key.Keyring(b),
	})
	if err != nil {
		b.Fatal(err)
	}
	var build int
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		rel := releasetest.NewRelease(b, key, fmt.Sprintf("2031.%d.%d", 1+i/28%12, 1+i%28), nil)
		build = len(rel.Files[releasetest.Asset()])
		srv.Publish(rel)
		b.StartTimer()
		if _, err := in.Update(b.Context(), managed.ChannelStable, "", nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(build), "build-bytes")
	b.ReportMetric(float64(dirSize(b, dir)), "disk-bytes")
}

func dirSize(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if info, err := d.Info(); err == nil && d.Type().IsRegular() {
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
