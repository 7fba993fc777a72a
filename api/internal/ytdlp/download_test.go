package ytdlp

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/testmedia"
)

func TestRunDirectMP4(t *testing.T) {
	srv := testmedia.NewServer(t)
	r := newTestRunner(t)
	rec := newRecorder()
	job := newJob(t, "job-direct", srv.URL(testmedia.PathVideo), Options{})
	res, err := r.Run(testCtx(t, 60*time.Second), job, rec.sink)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(res.Files) != 1 || res.Files[0] != filepath.Join(job.DoneDir(), "job-direct.mp4") {
		t.Fatalf("files = %v", res.Files)
	}
	infos := rec.infos()
	if len(infos) != 1 || infos[0].Title != "video" || infos[0].ExtractorKey != "Generic" {
		t.Errorf("info = %+v", infos)
	}
	checkProgress(t, rec.progress())
	media := testmedia.FFprobe(t, res.Files[0])
	if math.Abs(media.DurationSeconds-4) > 0.5 {
		t.Errorf("duration %.2f", media.DurationSeconds)
	}
	t.Logf("events: %+v", rec.all())
}

// checkProgress wants downloaded bytes that never go down and a last
// "finished" update at 100%.
func checkProgress(t *testing.T, ps []Progress) {
	t.Helper()
	if len(ps) == 0 {
		t.Fatal("no progress events")
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].DownloadedBytes < ps[i-1].DownloadedBytes {
			t.Errorf("downloaded bytes went down: %+v then %+v", ps[i-1], ps[i])
		}
	}
	last := ps[len(ps)-1]
	if last.Status != "finished" || last.Percent() != 100 {
		t.Errorf("last progress = %+v (%.1f%%), want finished at 100%%", last, last.Percent())
	}
}
