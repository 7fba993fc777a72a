package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// A listed download is exactly what GET /downloads/{id} answers for it,
// whatever it holds: the list reads fewer columns than a whole row and
// encodes in its own pass, and neither may change what a user sees.
func TestDownloadListItemIsTheDownload(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, noWorkers())
	db := w.env.App.Store.DB
	now := time.Now().UTC()
	type shape map[string]any
	sub := createSubscription(t, w.c, map[string]any{"url": "http://127.0.0.1:9/feed.xml"})
	for _, s := range []shape{
		{"status": "completed", "subscription_id": sub.ID, "title": "Done \u202eevil", "uploader": "Someone", "thumbnail_url": "https://i.example/t.jpg",
			"duration_seconds": 12.5, "source_url": "https://example.com/src", "percent": 100, "downloaded_bytes": 2048,
			"total_bytes": 2048, "ytdlp_version": "2026.10.26", "node": "n1", "attempts": 2,
			"warnings":   `[{"code":"formats_missing","message":"Some formats were skipped."}]`,
			"started_at": now.Add(-time.Minute), "finished_at": now},
		{"status": "failed", "title": "Broken", "error_code": "private", "error_message": "HTTP Error 403",
			"meta": `{"match":{"status":"matched","candidates":[]}}`},
		{"status": "downloading", "percent": 41.5, "downloaded_bytes": 4100, "total_bytes": 10000, "speed_bps": 1234.5,
			"eta_seconds": 5, "fragment_index": 3, "fragment_count": 9, "post_processor": "Merger"},
	} {
		d := submitURL(t, w.c, "http://127.0.0.1:9/v.mp4")
		if err := db.Table("downloads").Where("id = ?", d.ID).Updates(map[string]any(s)).Error; err != nil {
			t.Fatal(err)
		}
		if s["status"] == "completed" {
			f := registerFile(t, w, w.user.ID.String()+"/generic/done.mp4", []byte("data"))
			if err := db.Table("files").Where("id = ?", f.ID).Update("download_id", d.ID).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	expectStatus(t, w.c.Get("/api/v1/downloads?limit=10"), http.StatusOK).JSON(&page)
	if len(page.Items) != 3 {
		t.Fatalf("listed %d downloads, want 3", len(page.Items))
	}
	for _, item := range page.Items {
		var id struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(item, &id); err != nil {
			t.Fatal(err)
		}
		one := expectStatus(t, w.c.Get("/api/v1/downloads/"+id.ID), http.StatusOK).Body
		var a, b bytes.Buffer
		if err := json.Compact(&a, item); err != nil {
			t.Fatal(err)
		}
		if err := json.Compact(&b, one); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("listed:\n%s\nalone:\n%s", a.String(), b.String())
		}
		// Both are read by the same scanner: a column it left out would
		// be missing from both alike, so check what the rows hold too.
		var v struct {
			Status         string  `json:"status"`
			SubscriptionID *string `json:"subscription_id"`
			Uploader       *string `json:"uploader"`
		}
		_ = json.Unmarshal(item, &v)
		if v.Status == "completed" && (v.SubscriptionID == nil || *v.SubscriptionID != sub.ID.String() || v.Uploader == nil) {
			t.Errorf("the completed download's subscription_id %v, uploader %v: columns left out of the list", v.SubscriptionID, v.Uploader)
		}
		// Its files as the files API shows them (read another way).
		var withFiles struct {
			Files []json.RawMessage `json:"files"`
		}
		_ = json.Unmarshal(item, &withFiles)
		for _, f := range withFiles.Files {
			var fid struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(f, &fid)
			alone := expectStatus(t, w.c.Get("/api/v1/files/"+fid.ID), http.StatusOK).Body
			var x, y bytes.Buffer
			_ = json.Compact(&x, f)
			_ = json.Compact(&y, alone)
			if x.String() != y.String() {
				t.Errorf("file in the list:\n%s\nalone:\n%s", x.String(), y.String())
			}
		}
	}
}
