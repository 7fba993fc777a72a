package match_test

import (
	"context"
	"errors"
	"testing"

	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/match"
	"github.com/downlink/downlink/api/internal/spotify/search"
	"github.com/downlink/downlink/api/internal/spotify/search/searchtest"
)

var song = spotify.Track{Name: "Song", Artists: []string{"Band", "Guest"}, Album: "LP", DurationMs: 200000}

func TestScoreSynthetic(t *testing.T) {
	base := search.Candidate{Title: "Song", Artists: []string{"Band", "Guest"}, Album: "LP", DurationSeconds: 200,
		Kind: search.KindSong, Source: search.SourceYTMusic, Rank: 9}
	with := func(f func(c *search.Candidate)) search.Candidate { c := base; f(&c); return c }
	tests := []struct {
		name      string
		track     spotify.Track
		cand      search.Candidate
		confident bool
	}{
		{"exact song", song, base, true},
		{"remix, same length", song, with(func(c *search.Candidate) { c.Title = "Song (Club Remix)" }), false},
		{"sped up", song, with(func(c *search.Candidate) { c.Title = "Song - Sped Up" }), false},
		{"original when Spotify has the remix", spotify.Track{Name: "Song (Club Remix)", Artists: song.Artists, DurationMs: 200000}, base, false},
		{"remix when Spotify has the remix", spotify.Track{Name: "Song - Club Remix", Artists: song.Artists, DurationMs: 200000},
			with(func(c *search.Candidate) { c.Title = "Song (Club Remix)" }), true},
		{"duration far off", song, with(func(c *search.Candidate) { c.DurationSeconds = 260 }), false},
		{"duration 3s off", song, with(func(c *search.Candidate) { c.DurationSeconds = 203 }), true},
		{"other artist", song, with(func(c *search.Candidate) { c.Artists = []string{"Somebody Else"} }), false},
		{"accents and feat", spotify.Track{Name: "Café (feat. Guest)", Artists: []string{"Beyoncé"}, DurationMs: 200000},
			with(func(c *search.Candidate) { c.Title = "Cafe"; c.Artists = []string{"Beyonce", "Guest"} }), true},
		{"artist channel video", song, search.Candidate{Title: "Band x Guest - Song (Official Video)", Channel: "BandVEVO",
			DurationSeconds: 201, Kind: search.KindVideo, Source: search.SourceYouTube}, true},
		{"1 hour loop video", song, search.Candidate{Title: "Band - Song [1 HOUR]", Channel: "loops",
			DurationSeconds: 3600, Kind: search.KindVideo, Source: search.SourceYouTube}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := match.Score(tt.track, tt.cand)
			t.Logf("%.1f %v", s.Score, s.Reasons)
			if got := s.Score >= match.DefaultThreshold; got != tt.confident {
				t.Errorf("score %.1f, confident = %v, want %v", s.Score, got, tt.confident)
			}
		})
	}
}

func TestRankPrefersOriginalOverVersions(t *testing.T) {
	cands := []search.Candidate{
		{VideoID: "remix", Title: "Song (Remix)", Artists: song.Artists, DurationSeconds: 200, Kind: search.KindSong},
		{VideoID: "live", Title: "Song - Live", Artists: song.Artists, DurationSeconds: 230, Kind: search.KindSong},
		{VideoID: "orig", Title: "Song", Artists: song.Artists, DurationSeconds: 201, Kind: search.KindSong},
	}
	for i := range cands {
		cands[i].Rank = i
	}
	if r := match.Rank(song, cands); r[0].VideoID != "orig" {
		t.Fatalf("ranked first: %+v", r[0])
	}
}

func newMatcher(srv *searchtest.Server, fallback match.Searcher) *match.Matcher {
	return match.New(match.Config{
		YTMusic:  search.NewYTMusic(search.YTMusicConfig{BaseURL: srv.URL, WatchURL: srv.WatchURL}),
		YouTube:  search.NewYouTube(search.YouTubeConfig{BaseURL: srv.URL, WatchURL: srv.WatchURL}),
		Fallback: fallback,
	})
}

func TestMatchStages(t *testing.T) {
	srv := searchtest.Start(t, searchtest.Options{})
	m := newMatcher(srv, nil)
	ctx := context.Background()

	t.Run("isrc", func(t *testing.T) {
		r, err := m.Match(ctx, nobodyElse)
		if err != nil {
			t.Fatal(err)
		}
		if r.Stage != match.StageISRC || r.Best.VideoID != "nfyk-V5CoIE" || r.Best.Score < 90 {
			t.Fatalf("result = %s %s %.1f", r.Stage, r.Best.VideoID, r.Best.Score)
		}
	})
	t.Run("videos when YouTube Music has nothing", func(t *testing.T) {
		tr := nobodyElse
		tr.ISRC = ""
		r, err := m.Match(ctx, tr)
		if err != nil {
			t.Fatal(err)
		}
		if r.Stage != match.StageVideos || r.Best.VideoID != "bNXMlIogpXc" || len(r.Ranked) != match.DefaultTopN {
			t.Fatalf("result = %s %s %.1f (%d ranked)", r.Stage, r.Best.VideoID, r.Best.Score, len(r.Ranked))
		}
	})
	t.Run("ISRC hit of another length is not trusted", func(t *testing.T) {
		tr := nobodyElse
		tr.DurationMs = 240000
		_, err := m.Match(ctx, tr)
		var nm *match.NoMatchError
		if !errors.Is(err, match.ErrNoConfidentMatch) || !errors.As(err, &nm) || len(nm.Ranked) == 0 {
			t.Fatalf("err = %v", err)
		}
		if nm.Ranked[0].Score >= match.DefaultThreshold {
			t.Errorf("listed candidate scored %.1f", nm.Ranked[0].Score)
		}
	})
}

func TestMatchRegistered(t *testing.T) {
	srv := searchtest.Start(t, searchtest.Options{NoFixtures: true})
	m := newMatcher(srv, nil)
	ctx := context.Background()
	srv.Register(searchtest.YTMusic, "Band, Guest - Song", []search.Candidate{
		{URL: "http://127.0.0.1:1/remix.opus", Title: "Song (Remix)", Artists: song.Artists, DurationSeconds: 200, Kind: search.KindSong},
		{URL: "http://127.0.0.1:1/song.opus", Title: "Song", Artists: song.Artists, Album: "LP", DurationSeconds: 200, Kind: search.KindSong},
	})
	r, err := m.Match(ctx, song)
	if err != nil {
		t.Fatal(err)
	}
	if r.Stage != match.StageSongs || r.Best.URL != "http://127.0.0.1:1/song.opus" {
		t.Fatalf("result = %s %+v", r.Stage, r.Best)
	}

	only := spotify.Track{Name: "Other", Artists: []string{"Band"}, DurationMs: 200000}
	srv.Register(searchtest.YTMusic, "Band - Other", []search.Candidate{
		{URL: "http://127.0.0.1:1/other-remix.opus", Title: "Other (Remix)", Artists: []string{"Band"}, DurationSeconds: 200, Kind: search.KindSong},
	})
	_, err = m.Match(ctx, only)
	var nm *match.NoMatchError
	if !errors.As(err, &nm) || len(nm.Ranked) != 1 || nm.Ranked[0].URL != "http://127.0.0.1:1/other-remix.opus" {
		t.Fatalf("err = %v", err)
	}
}

// fakeSearcher answers every search with the same candidates.
type fakeSearcher struct {
	cands []search.Candidate
	calls int
}

func (f *fakeSearcher) Search(context.Context, string, search.Mode, int) ([]search.Candidate, error) {
	f.calls++
	return f.cands, nil
}

func TestMatchFallbackAndFailures(t *testing.T) {
	srv := searchtest.Start(t, searchtest.Options{NoFixtures: true})
	ctx := context.Background()
	fb := &fakeSearcher{cands: []search.Candidate{{VideoID: "fallback123", URL: "https://www.youtube.com/watch?v=fallback123",
		Title: "Band x Guest - Song", Channel: "Band", DurationSeconds: 200, Kind: search.KindVideo, Source: search.SourceYTDLP}}}
	srv.FailNext(100)
	r, err := newMatcher(srv, fb).Match(ctx, song)
	if err != nil {
		t.Fatal(err)
	}
	if r.Best.VideoID != "fallback123" || fb.calls != 1 {
		t.Fatalf("best = %+v, fallback calls %d", r.Best, fb.calls)
	}

	_, err = newMatcher(srv, nil).Match(ctx, song)
	if !errors.Is(err, search.ErrUnavailable) || errors.Is(err, match.ErrNoConfidentMatch) {
		t.Fatalf("all backends down: err = %v", err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := newMatcher(srv, nil).Match(cancelled, song); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v", err)
	}
}
