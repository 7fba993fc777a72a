package ytdlp

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/testmedia"
)

func TestListPlaylistFeed(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	r := newTestRunner(t)
	const n = 5
	pl, err := r.ListPlaylist(testCtx(t, 60*time.Second), srv.FeedURL(n), "", Settings{AllowGeneric: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Entries) != n || pl.Skipped != 0 || pl.Title != "Downlink test feed" {
		t.Fatalf("playlist = %+v", pl)
	}
	for i, e := range pl.Entries {
		wantURL := fmt.Sprintf("%s?item=%d", srv.URL(testmedia.PathVideo), i+1)
		if e.Index != i+1 || e.URL != wantURL || e.Title != testmedia.FeedItemTitle(i+1) || e.DurationSeconds != 4 {
			t.Errorf("entry %d = %+v, want index %d url %s", i, e, i+1, wantURL)
		}
		if err := checkURL(e.URL); err != nil {
			t.Errorf("entry URL %q would be refused: %v", e.URL, err)
		}
	}
	if n := srv.Count(testmedia.PathVideo); n != 0 {
		t.Errorf("listing fetched the media %d times; --flat-playlist should not", n)
	}

	t.Run("playlist_items", func(t *testing.T) {
		pl, err := r.ListPlaylist(testCtx(t, 60*time.Second), srv.FeedURL(n), "2-3,5", Settings{AllowGeneric: true})
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, e := range pl.Entries {
			got = append(got, e.Index)
		}
		if fmt.Sprint(got) != "[2 3 5]" {
			t.Errorf("indices %v, want [2 3 5]", got)
		}
	})
	t.Run("bad playlist_items", func(t *testing.T) {
		_, err := r.ListPlaylist(testCtx(t, 10*time.Second), srv.FeedURL(n), "1;2", Settings{AllowGeneric: true})
		var p *problem.Problem
		if !errors.As(err, &p) || p.Status != 422 || p.Errors[0].Field != "playlist_items" {
			t.Errorf("err = %v, want a 422 on playlist_items", err)
		}
	})
	t.Run("list limit stops the listing", func(t *testing.T) {
		pl, err := r.ListPlaylist(testCtx(t, 60*time.Second), srv.FeedURL(n), "", Settings{AllowGeneric: true, ListLimit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(pl.Entries) != 3 || pl.Entries[2].Index != 3 {
			t.Errorf("playlist = %+v, want the first 3 entries", pl)
		}
	})
	t.Run("single item lists as one entry", func(t *testing.T) {
		pl, err := r.ListPlaylist(testCtx(t, 60*time.Second), srv.URL(testmedia.PathVideo), "", Settings{AllowGeneric: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(pl.Entries) != 1 || pl.Entries[0].URL != srv.URL(testmedia.PathVideo) {
			t.Errorf("playlist = %+v", pl)
		}
	})
}

func TestProbe(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	r := newTestRunner(t)
	s := Settings{AllowGeneric: true}

	t.Run("hls", func(t *testing.T) {
		p, err := r.Probe(testCtx(t, 60*time.Second), srv.HLSURL(), s)
		if err != nil {
			t.Fatal(err)
		}
		if p.IsPlaylist || p.DurationSeconds != 4 || len(p.Formats) == 0 {
			t.Fatalf("probe = %+v", p)
		}
		// A media playlist (no master) tells nothing about resolution.
		if f := p.Formats[0]; f.Ext != "mp4" || f.Protocol != "m3u8_native" {
			t.Errorf("format = %+v", f)
		}
	})
	t.Run("page", func(t *testing.T) {
		p, err := r.Probe(testCtx(t, 60*time.Second), srv.PageURL(testmedia.PathVideo), s)
		if err != nil {
			t.Fatal(err)
		}
		// One <video> on a page is a playlist of one for the generic extractor.
		if !strings.Contains(p.Title, testmedia.DefaultTitle) {
			t.Errorf("probe = %+v", p)
		}
	})
	t.Run("feed", func(t *testing.T) {
		p, err := r.Probe(testCtx(t, 60*time.Second), srv.FeedURL(3), s)
		if err != nil {
			t.Fatal(err)
		}
		if !p.IsPlaylist || p.EntryCount != 3 || len(p.Formats) != 0 {
			t.Errorf("probe = %+v", p)
		}
	})
	t.Run("404", func(t *testing.T) {
		_, err := r.Probe(testCtx(t, 60*time.Second), srv.URL("/missing.mp4"), s)
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Reason != ReasonUnavailable {
			t.Errorf("err = %v, want unavailable", err)
		}
	})
	t.Run("refused URL", func(t *testing.T) {
		if _, err := r.Probe(testCtx(t, 10*time.Second), "file:///etc/passwd", s); !errors.Is(err, ErrInvalidURL) {
			t.Errorf("err = %v, want ErrInvalidURL", err)
		}
	})
}
