package httpapi_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestDownloadMediaKinds downloads each kind of media a generic site
// offers and follows the file into the library, the files table, the
// files API and its content.
func TestDownloadMediaKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  func(*testmedia.Server) string
		// served is the file whose bytes the library file must equal ("":
		// the download is a remux, compared with ffprobe instead).
		served func(t *testing.T) string
	}{
		{"direct mp4", func(s *testmedia.Server) string { return s.URL(testmedia.PathVideo) },
			func(t *testing.T) string { return testmedia.Video(t) }},
		{"html page with a video", func(s *testmedia.Server) string { return s.PageURL(testmedia.PathVideo) },
			func(t *testing.T) string { return testmedia.Video(t) }},
		{"hls playlist", func(s *testmedia.Server) string { return s.HLSURL() }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newDLWorld(t)
			srv := testmedia.NewServer(t)
			d := submitURL(t, w.c, tc.url(srv))
			if d.Platform != "generic" {
				t.Errorf("platform %q, want generic", d.Platform)
			}
			d = waitCompleted(t, w.env, w.c, d.ID)
			f := checkOneLibraryFile(t, w, d)
			content := fileContent(t, w.c, f)
			if tc.served != nil {
				want, err := os.ReadFile(tc.served(t))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(content, want) {
					t.Errorf("content: %d bytes, differs from the %d served", len(content), len(want))
				}
			} else {
				info := testmedia.FFprobe(t, libraryPath(w.env, w.user.ID, "generic", f.Name))
				if len(info.Codecs("video")) == 0 || len(info.Codecs("audio")) == 0 || info.DurationSeconds < 3 {
					t.Errorf("HLS result: %+v", info)
				}
			}
			if d.Progress.Percent != 100 {
				t.Errorf("completed with percent %v", d.Progress.Percent)
			}
			waitGone(t, jobDir(w.env, d.ID), processGoneTimeout)
		})
	}
}

// checkOneLibraryFile checks that a completed download has exactly one
// file: on disk under library/<user>/<platform>/, one row in files, listed
// by GET /files, and its content served whole. It returns the file.
func checkOneLibraryFile(t *testing.T, w dlWorld, d download) dlFile {
	t.Helper()
	if len(d.Files) != 1 {
		t.Fatalf("download has %d files, want 1: %s", len(d.Files), d)
	}
	f := d.Files[0]
	if f.DownloadID == nil || *f.DownloadID != d.ID || f.UserID != w.user.ID || f.Missing || f.Platform != d.Platform {
		t.Errorf("file %+v", f)
	}
	path := libraryPath(w.env, w.user.ID, d.Platform, f.Name)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("file not in the library: %v", err)
	}
	if !st.Mode().IsRegular() || st.Size() != f.SizeBytes || f.SizeBytes == 0 {
		t.Errorf("on disk %v %d bytes, API says %d", st.Mode(), st.Size(), f.SizeBytes)
	}
	if n := countRows(t, w.env, "files", "download_id = ?", d.ID); n != 1 {
		t.Errorf("%d rows in files for the download, want 1", n)
	}
	listed := listFilesOf(t, w.c, "?download_id="+d.ID.String())
	if len(listed) != 1 || listed[0].ID != f.ID {
		t.Errorf("GET /files?download_id lists %+v", listed)
	}
	found := false
	for _, l := range listFilesOf(t, w.c, "?limit=100") {
		found = found || l.ID == f.ID
	}
	if !found {
		t.Errorf("GET /files does not list %s", f.ID)
	}
	onDisk, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fileContent(t, w.c, f); !bytes.Equal(got, onDisk) {
		t.Errorf("content differs from the library file (%d vs %d bytes)", len(got), len(onDisk))
	}
	return f
}

// TestDownloadFeedExpandsIntoChildren downloads an RSS feed with three
// enclosures: a parent with three children, each its own job and file.
func TestDownloadFeedExpandsIntoChildren(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	parent := submitURL(t, w.c, srv.FeedURL(3))
	parent = waitCompleted(t, w.env, w.c, parent.ID)

	if parent.ChildrenCount != 3 || parent.ChildrenSummary["completed"] != 3 {
		t.Errorf("parent children: %d, summary %v", parent.ChildrenCount, parent.ChildrenSummary)
	}
	for st, n := range parent.ChildrenSummary {
		if st != "completed" && n != 0 {
			t.Errorf("children_summary[%s] = %d", st, n)
		}
	}
	if parent.Progress.Percent != 100 {
		t.Errorf("parent percent %v, want 100", parent.Progress.Percent)
	}
	if parent.Kind != "playlist" || len(parent.Files) != 0 || parent.ParentID != nil {
		t.Errorf("parent: %s", parent)
	}
	var page struct {
		Items []download `json:"items"`
	}
	expectStatus(t, w.c.Get("/api/v1/downloads?parent_id="+parent.ID.String()), 200).JSON(&page)
	if len(page.Items) != 3 {
		t.Fatalf("%d children listed, want 3", len(page.Items))
	}
	var sum int64
	seen := map[string]bool{}
	for i, ch := range page.Items {
		if ch.ParentID == nil || *ch.ParentID != parent.ID || ch.Status != "completed" || ch.PlaylistIndex != i+1 {
			t.Errorf("child %d: %s", i, ch)
		}
		if !strings.HasSuffix(ch.URL, fmt.Sprintf("?item=%d", i+1)) {
			t.Errorf("child %d URL %q", i, ch.URL)
		}
		if len(ch.Files) != 1 {
			t.Fatalf("child %d has %d files", i, len(ch.Files))
		}
		f := ch.Files[0]
		if seen[f.Name] {
			t.Errorf("two children share the file name %q", f.Name)
		}
		seen[f.Name] = true
		if _, err := os.Stat(libraryPath(w.env, w.user.ID, "generic", f.Name)); err != nil {
			t.Errorf("child %d file: %v", i, err)
		}
		sum += f.SizeBytes
	}
	if parent.Progress.DownloadedBytes != sum {
		t.Errorf("parent downloaded_bytes %d, children's files sum to %d", parent.Progress.DownloadedBytes, sum)
	}
	// The default list shows only the parent, not its children.
	var top struct {
		Items []download `json:"items"`
	}
	expectStatus(t, w.c.Get("/api/v1/downloads"), 200).JSON(&top)
	if len(top.Items) != 1 || top.Items[0].ID != parent.ID {
		t.Errorf("top-level list: %v", top.Items)
	}
	if n := countRows(t, w.env, "files", "user_id = ?", w.user.ID); n != 3 {
		t.Errorf("%d file rows, want 3", n)
	}
	if n := downloadJobs(t, w.env); n != 4 {
		t.Errorf("%d download jobs, want 4 (parent + 3 children)", n)
	}
}

// TestDownloadAudioExtraction asks for audio only as mp3 and checks the
// result with ffprobe.
func TestDownloadAudioExtraction(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	d := submit(t, w.c, map[string]any{"url": srv.URL(testmedia.PathAudio), "preset": "audio",
		"options": map[string]any{"audio_format": "mp3"}})
	if d.Options["preset"] != "audio" || d.Options["audio_format"] != "mp3" {
		t.Errorf("options %v", d.Options)
	}
	d = waitCompleted(t, w.env, w.c, d.ID)
	f := checkOneLibraryFile(t, w, d)
	if filepath.Ext(f.Name) != ".mp3" || f.MimeType != "audio/mpeg" || f.Kind != "audio" {
		t.Errorf("file %+v", f)
	}
	info := testmedia.FFprobe(t, libraryPath(w.env, w.user.ID, "generic", f.Name))
	if got := info.Codecs("audio"); len(got) != 1 || got[0] != "mp3" {
		t.Errorf("audio codecs %v, want [mp3]", got)
	}
	if v := info.Codecs("video"); len(v) != 0 {
		t.Errorf("video streams %v in an audio download", v)
	}
}
