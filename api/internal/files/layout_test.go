package files_test

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/files"
)

func TestLayoutPlace(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	cases := []struct {
		name      string
		layout    files.Layout
		meta      files.Meta
		dir, base string
	}{
		{"video", files.Layout{Mode: files.LayoutMediaServer}, files.Meta{Title: "A talk", Channel: "Conf", ID: "abc123", Aired: day},
			"Conf/Season 2026", "2026-03-04 A talk [abc123]"},
		{"music", files.Layout{Mode: files.LayoutMediaServer}, files.Meta{Title: "Song", Artist: "Band", Album: "LP", TrackNumber: 3, Audio: true},
			"Band/LP", "03 Song"},
		{"unknowns", files.Layout{Mode: files.LayoutMediaServer}, files.Meta{}, "Unknown channel/Season 2026", "2026-03-04 Untitled [none]"},
		{"values never add folders", files.Layout{Mode: files.LayoutMediaServer},
			files.Meta{Title: "../../etc/passwd", Channel: "..", ID: "x/y", Aired: day}, "download/Season 2026", "2026-03-04 ..-..-etc-passwd [x-y]"},
		{"custom template", files.Layout{Mode: files.LayoutMediaServer, VideoTemplate: "{platform}/{channel} - {title}"},
			files.Meta{Title: "T", Channel: "C", Platform: "youtube"}, "youtube", "C - T"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, base, err := tc.layout.Place(tc.meta, day)
			if err != nil || dir != tc.dir || base != tc.base {
				t.Errorf("Place = %q, %q, %v; want %q, %q", dir, base, err, tc.dir, tc.base)
			}
		})
	}
}

func TestValidateTemplateRefusesEscapes(t *testing.T) {
	t.Parallel()
	for _, tpl := range []string{"", "../{title}", "{channel}/../../{title}", "/abs/{title}", "~/{title}", `a\{title}`,
		"{channel}//{title}", "{channel}/./{title}", "{unknown}", "{title", "x/{title}}"} {
		if err := files.ValidateTemplate(tpl); !errors.Is(err, files.ErrTemplate) {
			t.Errorf("ValidateTemplate(%q) = %v, want ErrTemplate", tpl, err)
		}
	}
	for _, tpl := range []string{files.DefaultVideoTemplate, files.DefaultMusicTemplate, "{platform}/{channel} - {title}"} {
		if err := files.ValidateTemplate(tpl); err != nil {
			t.Errorf("ValidateTemplate(%q) = %v", tpl, err)
		}
	}
}

// TestLayoutShowDir: a video's show folder (where tvshow.nfo and the
// poster go) is the template's folders up to the first naming the
// channel, rendered as the video's own folder is; music and templates
// whose folders do not name the channel have none.
func TestLayoutShowDir(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	video := files.Meta{Title: "A talk", Channel: "Conf/Talks", ID: "abc123", Aired: day, Platform: "youtube"}
	cases := []struct {
		name     string
		template string
		meta     files.Meta
		dir      string
		ok       bool
	}{
		{"default", "", video, "Conf-Talks", true},
		{"below another folder", "{platform}/{channel} ({platform})/{year}/{title}", video, "youtube/Conf-Talks (youtube)", true},
		{"channel only in the name", "{platform}/{channel} - {title}", video, "", false},
		{"music", "", files.Meta{Title: "Song", Artist: "Band", Album: "LP", Audio: true}, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := files.Layout{Mode: files.LayoutMediaServer, VideoTemplate: tc.template}
			dir, ok := l.ShowDir(tc.meta, day)
			if dir != tc.dir || ok != tc.ok {
				t.Errorf("ShowDir = %q, %v; want %q, %v", dir, ok, tc.dir, tc.ok)
			}
			if ok {
				// The video itself lies below its show folder.
				if vdir, _, err := l.Place(tc.meta, day); err != nil || !strings.HasPrefix(vdir+"/", dir+"/") {
					t.Errorf("the video's folder %q (%v) is not below the show's %q", vdir, err, dir)
				}
			}
		})
	}
}

// TestShowNFO: tvshow.nfo is Kodi's tvshow document: the channel as title
// and studio, the platform as tag, the poster when there is one.
func TestShowNFO(t *testing.T) {
	t.Parallel()
	raw, err := files.ShowNFO(files.Meta{Channel: "Conf & Co <live>", Platform: "youtube"}, "poster.jpg")
	if err != nil {
		t.Fatal(err)
	}
	var show struct {
		XMLName xml.Name `xml:"tvshow"`
		Title   string   `xml:"title"`
		Studio  string   `xml:"studio"`
		Tag     string   `xml:"tag"`
		Thumb   struct {
			Aspect string `xml:"aspect,attr"`
			Path   string `xml:",chardata"`
		} `xml:"thumb"`
	}
	if err := xml.Unmarshal(raw, &show); err != nil {
		t.Fatalf("not XML: %v\n%s", err, raw)
	}
	if show.Title != "Conf & Co <live>" || show.Studio != "Conf & Co <live>" || show.Tag != "youtube" ||
		show.Thumb.Aspect != "poster" || show.Thumb.Path != "poster.jpg" {
		t.Errorf("tvshow.nfo %+v\n%s", show, raw)
	}
	raw, _ = files.ShowNFO(files.Meta{}, "")
	if s := string(raw); !strings.Contains(s, "<title>Unknown channel</title>") || strings.Contains(s, "<thumb") {
		t.Errorf("without a channel or poster:\n%s", s)
	}
}
