package httpapi_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// rowWrite is one UPDATE of a downloads row, recorded by a trigger.
type rowWrite struct {
	Status string
	AtMS   int64
}

// recordRowWrites installs a trigger that logs every UPDATE of downloads
// (with the database's clock), so a test can count the worker's writes
// without touching the server's code.
func recordRowWrites(t *testing.T, env *apitest.Env) func() []rowWrite {
	t.Helper()
	db := env.App.Store.DB
	var stmts []string
	if env.App.Store.Kind == config.Postgres {
		stmts = []string{
			`CREATE TABLE test_download_writes (seq BIGSERIAL PRIMARY KEY, id TEXT, status TEXT, at_ms BIGINT)`,
			`CREATE FUNCTION test_log_download_write() RETURNS trigger AS $$ BEGIN
			   INSERT INTO test_download_writes (id, status, at_ms)
			   VALUES (NEW.id::text, NEW.status, (extract(epoch from clock_timestamp()) * 1000)::bigint);
			   RETURN NEW; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER test_download_writes AFTER UPDATE ON downloads FOR EACH ROW EXECUTE FUNCTION test_log_download_write()`,
		}
	} else {
		stmts = []string{
			`CREATE TABLE test_download_writes (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT, status TEXT, at_ms INTEGER)`,
			`CREATE TRIGGER test_download_writes AFTER UPDATE ON downloads BEGIN
			   INSERT INTO test_download_writes (id, status, at_ms)
			   VALUES (NEW.id, NEW.status, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)); END`,
		}
	}
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			t.Fatalf("install write recorder: %v", err)
		}
	}
	return func() []rowWrite {
		var out []rowWrite
		if err := db.Raw(`SELECT status, at_ms FROM test_download_writes ORDER BY seq`).Scan(&out).Error; err != nil {
			t.Fatalf("read writes: %v", err)
		}
		return out
	}
}

// TestDownloadProgressEventsInOrder follows a throttled download over a
// real SSE connection: created, fetching_info, downloading, progress with a
// percent that never goes back, post-processing, completed; and checks
// that the row is written about once a second, not on every progress line.
func TestDownloadProgressEventsInOrder(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	writes := recordRowWrites(t, w.env)
	srv := testmedia.NewServer(t)
	stream := openSSE(t, w.env.URL, w.c, "")

	// About 3.2 MB at 700 kB/s: four to five seconds of progress.
	start := time.Now()
	d := submitURL(t, w.c, srv.SlowURL(testmedia.PathBig, 700_000))
	id := d.ID.String()
	mine := func(e sseEvent) bool {
		var v struct {
			ID string `json:"id"`
		}
		return json.Unmarshal(e.Data, &v) == nil && v.ID == id
	}
	stream.WaitFor(downloadTimeout, "download.updated completed", func(e sseEvent) bool {
		return mine(e) && e.Type == "download.updated" && e.decode(t).Status == "completed"
	})
	elapsed := time.Since(start)
	final := getDownload(t, w.c, d.ID)
	if final.Status != "completed" || len(final.Files) != 1 {
		t.Fatalf("final state %s", final)
	}

	var seq []string // "type status" of this download's events, in order
	var evs []sseEvent
	for _, e := range stream.Events() {
		if mine(e) {
			evs = append(evs, e)
			seq = append(seq, e.Type+" "+e.decode(t).Status)
		}
	}
	first := func(what string) int {
		for i, s := range seq {
			if s == what {
				return i
			}
		}
		return -1
	}
	last := func(typ string) int {
		n := -1
		for i, e := range evs {
			if e.Type == typ {
				n = i
			}
		}
		return n
	}
	created := first("download.created queued")
	fetching := first("download.updated fetching_info")
	downloading := first("download.updated downloading")
	firstProgress := first("download.progress downloading")
	post := first("download.progress post_processing")
	if p := first("download.updated post_processing"); post < 0 || (p >= 0 && p < post) {
		post = p
	}
	completed := first("download.updated completed")
	t.Logf("%d events in %v: created@%d fetching@%d downloading@%d progress@%d post@%d completed@%d",
		len(seq), elapsed.Round(time.Millisecond), created, fetching, downloading, firstProgress, post, completed)
	switch {
	case created != 0:
		t.Errorf("download.created is not the first event: %v", seq)
	case fetching < created:
		t.Errorf("no download.updated fetching_info after created: %v", seq)
	case downloading < fetching:
		t.Errorf("no download.updated downloading after fetching_info: %v", seq)
	case firstProgress < fetching:
		t.Errorf("no download.progress after fetching_info: %v", seq)
	case post < firstProgress || post < downloading:
		t.Errorf("no post_processing after the download progress: %v", seq)
	case completed != len(seq)-1 && last("download.progress") > completed:
		t.Errorf("progress after completed: %v", seq)
	}

	// Progress never moves backwards and ends at 100.
	var percents []float64
	prev := -1.0
	for _, e := range evs {
		if e.Type != "download.progress" {
			continue
		}
		p := e.decode(t)
		if p.Status == "downloading" {
			percents = append(percents, p.Progress.Percent)
		}
		if p.Progress.Percent < prev {
			t.Errorf("percent went back from %v to %v", prev, p.Progress.Percent)
		}
		prev = p.Progress.Percent
	}
	if len(percents) < 4 {
		t.Errorf("only %d download.progress events while downloading: %v", len(percents), percents)
	}
	if n := len(percents); n > 0 && percents[n-1] != 100 {
		t.Errorf("last downloading percent %v, want 100", percents[n-1])
	}
	if final.Progress.Percent != 100 || final.Progress.DownloadedBytes != final.Files[0].SizeBytes {
		t.Errorf("final progress %+v, file %d bytes", final.Progress, final.Files[0].SizeBytes)
	}

	// Row writes: a handful per status change plus about one a second,
	// never one per progress line. (Counted, not timed: on a loaded machine
	// a late tick and the heartbeat can land milliseconds apart.)
	ws := writes()
	var downloadingWrites int
	for _, wr := range ws {
		if wr.Status == "downloading" {
			downloadingWrites++
		}
	}
	budget := int(elapsed/time.Second) + 2
	if downloadingWrites > budget {
		t.Errorf("%d row writes while downloading in %v (budget %d): %v", downloadingWrites, elapsed, budget, fmtWrites(ws))
	}
	if downloadingWrites >= len(percents) && len(percents) > 4 {
		t.Errorf("as many row writes (%d) as progress events (%d): writes are not throttled", downloadingWrites, len(percents))
	}
	t.Logf("%d row writes (%d while downloading), %d progress events", len(ws), downloadingWrites, len(percents))
}

func fmtWrites(ws []rowWrite) string {
	s := ""
	for _, w := range ws {
		s += fmt.Sprintf("\n  %d %s", w.AtMS-ws[0].AtMS, w.Status)
	}
	return s
}
