package httpapi_test

import (
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
}
