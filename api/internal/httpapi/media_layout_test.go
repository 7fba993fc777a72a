package httpapi_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestMediaServerLayout: with the media-server layout, a subscription's
// items land as <Channel>/Season <YYYY>/<YYYY-MM-DD> <title> [<id>].<ext>
// with a Kodi .nfo (title, plot, aired, studio, uniqueid) and a thumbnail
// beside each; a template that would leave the library is refused at save
// and changes nothing.
func TestMediaServerLayout(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	admin := adminClient(t, w.env)
	var g map[string]any
	admin.Get("/api/v1/settings").Expect(http.StatusOK).JSON(&g)
	for _, bad := range []string{"../../{title}", "{channel}/../../x/{title}", "/etc/{title}", "{channel}/{nope}", `{channel}\{title}`, "{channel}//{title}"} {
		g["library"] = map[string]any{"layout": "media_server", "video_template": bad}
		p := expectProblem(t, admin.Do(http.MethodPut, "/api/v1/settings", g), http.StatusUnprocessableEntity)
		if !strings.Contains(fmt.Sprint(p["errors"]), "library.video_template") {
			t.Errorf("template %q: %v", bad, p)
		}
	}
	var now map[string]any
	admin.Get("/api/v1/settings").Expect(http.StatusOK).JSON(&now)
	if now["library"] != nil {
		t.Errorf("a refused template was saved: %v", now["library"])
	}
	g["library"] = map[string]any{"layout": "media_server", "video_template": "", "music_template": ""}
	admin.Do(http.MethodPut, "/api/v1/settings", g).Expect(http.StatusOK)

	feed := newLiveFeed(t, testmedia.NewServer(t))
	feed.add("Episode 1", "Episode 2: a/b?")
	sub := createSubscription(t, w.c, map[string]any{"url": feed.URL + "/feed.xml", "backfill": map[string]any{"mode": "all"}})
	waitChecks(t, w.c, sub.ID, 1)
	for _, d := range subDownloads(t, w.c, sub.ID) {
		if done := waitCompleted(t, w.env, w.c, d.ID); len(done.Files) != 3 {
			t.Errorf("download %s: want the video, its .nfo and its thumbnail", done)
		}
	}
	root := filepath.Join(w.env.Cfg.DataDir, "library", w.user.ID.String())
	var got []string
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(got)
	want := []string{
		"Live test feed/Season 2026/2026-01-02 Episode 1 [live-1]-thumb.jpg",
		"Live test feed/Season 2026/2026-01-02 Episode 1 [live-1].mp4",
		"Live test feed/Season 2026/2026-01-02 Episode 1 [live-1].nfo",
		"Live test feed/Season 2026/2026-01-03 Episode 2_ a-b_ [live-2]-thumb.jpg",
		"Live test feed/Season 2026/2026-01-03 Episode 2_ a-b_ [live-2].mp4",
		"Live test feed/Season 2026/2026-01-03 Episode 2_ a-b_ [live-2].nfo",
		"Live test feed/poster.jpg",
		"Live test feed/tvshow.nfo",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("library holds\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	raw, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(want[2])))
	if err != nil {
		t.Fatal(err)
	}
	var nfo struct {
		XMLName  xml.Name `xml:"episodedetails"`
		Title    string   `xml:"title"`
		Plot     string   `xml:"plot"`
		Aired    string   `xml:"aired"`
		Studio   string   `xml:"studio"`
		UniqueID struct {
			Type string `xml:"type,attr"`
			ID   string `xml:",chardata"`
		} `xml:"uniqueid"`
		Thumb string `xml:"thumb"`
	}
	if err := xml.Unmarshal(raw, &nfo); err != nil {
		t.Fatalf("the .nfo is not XML: %v\n%s", err, raw)
	}
	if nfo.Title != "Episode 1" || nfo.Plot != "About episode 1." || nfo.Aired != "2026-01-02" || nfo.Studio != "Live test feed" ||
		nfo.UniqueID.ID != "live-1" || nfo.UniqueID.Type != "generic" || nfo.Thumb != "2026-01-02 Episode 1 [live-1]-thumb.jpg" {
		t.Errorf("nfo %+v\n%s", nfo, raw)
	}

	// The channel's folder (the show) has its tvshow.nfo and poster: the
	// first episode's thumbnail, the test poster.
	raw, err = os.ReadFile(filepath.Join(root, "Live test feed", "tvshow.nfo"))
	if err != nil {
		t.Fatal(err)
	}
	var show struct {
		XMLName   xml.Name `xml:"tvshow"`
		Title     string   `xml:"title"`
		ShowTitle string   `xml:"showtitle"`
		Studio    string   `xml:"studio"`
		Tag       string   `xml:"tag"`
		Thumb     struct {
			Aspect string `xml:"aspect,attr"`
			Path   string `xml:",chardata"`
		} `xml:"thumb"`
	}
	if err := xml.Unmarshal(raw, &show); err != nil {
		t.Fatalf("tvshow.nfo is not XML: %v\n%s", err, raw)
	}
	if show.Title != "Live test feed" || show.ShowTitle != "Live test feed" || show.Studio != "Live test feed" || show.Tag != "generic" ||
		show.Thumb.Aspect != "poster" || show.Thumb.Path != "poster.jpg" {
		t.Errorf("tvshow.nfo %+v\n%s", show, raw)
	}
	poster, err := os.ReadFile(filepath.Join(root, "Live test feed", "poster.jpg"))
	if err != nil || !bytes.HasPrefix(poster, []byte{0xFF, 0xD8, 0xFF}) {
		t.Errorf("poster.jpg is no JPEG (%v): % x", err, poster[:min(len(poster), 8)])
	}

	// They are the user's files, no episode's: they show in Files, and
	// deleting every episode with its files keeps them.
	for _, d := range subDownloads(t, w.c, sub.ID) {
		expectStatus(t, w.c.Do(http.MethodDelete, "/api/v1/downloads/"+d.ID.String()+"?delete_files=true", nil), http.StatusNoContent)
	}
	var list struct {
		Items []dlFile `json:"items"`
	}
	expectStatus(t, w.c.Get("/api/v1/files?limit=100"), http.StatusOK).JSON(&list)
	var names []string
	for _, f := range list.Items {
		if f.DownloadID != nil {
			t.Errorf("file %s still has download %s", f.Name, f.DownloadID)
		}
		names = append(names, f.Name)
	}
	sort.Strings(names)
	if !slices.Equal(names, []string{"poster.jpg", "tvshow.nfo"}) {
		t.Errorf("files after deleting the episodes: %v, want poster.jpg and tvshow.nfo", names)
	}
	for _, name := range []string{"tvshow.nfo", "poster.jpg"} {
		if _, err := os.Stat(filepath.Join(root, "Live test feed", name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
