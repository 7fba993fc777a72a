package files_test

import (
	"errors"
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
