package search_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/spotify/search"
	"github.com/downlink/downlink/api/internal/spotify/search/searchtest"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
)

func watch(id string) string { return "https://example.invalid/watch?v=" + id }

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	return spotifytest.ReadRecorded(t, name)
}

func byID(cands []search.Candidate, id string) *search.Candidate {
	for i := range cands {
		if cands[i].VideoID == id {
			return &cands[i]
		}
	}
	return nil
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]float64{"2:43": 163, "0:05": 5, "59:25": 3565, "1:02:05": 3725, "1:00:49": 3649} {
		if got, ok := search.ParseDuration(in); !ok || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "909.011 Aufrufe", "2022", "3:4", "a:bc"} {
		if _, ok := search.ParseDuration(in); ok {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
}

func TestParseYTMusicISRC(t *testing.T) {
	cands, err := search.ParseYTMusic(readFixture(t, "ytmusic/search_isrc_GB2LD2210007.json"), watch)
	if err != nil {
		t.Fatal(err)
	}
	want := []search.Candidate{{
		URL: watch("nfyk-V5CoIE"), VideoID: "nfyk-V5CoIE", Title: "Nobody Else", Artists: []string{"Abstrakt"},
		Album: "Nobody Else", DurationSeconds: 163, Kind: search.KindSong, Source: search.SourceYTMusic, TopResult: true,
	}}
	if !reflect.DeepEqual(cands, want) {
		t.Fatalf("got %+v\nwant %+v", cands, want)
	}
}

func TestParseYTMusicMoments(t *testing.T) {
	cands, err := search.ParseYTMusic(readFixture(t, "ytmusic/search_lost_identities_moments.json"), watch)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cands {
		ids = append(ids, c.VideoID)
	}
	// Top card, its two rows, 3 songs, 3 videos; episodes, albums, artists,
	// playlists, podcasts and profiles left out; duplicates kept once.
	wantIDs := []string{"fxhzvHrTO2k", "wgpEmlJ3guA", "PVUe0rW8qkE", "0h6XAAwX8II", "r51FxWfnbh0", "14CjyUYO8lE", "GnKXjblvqOg", "EPwGkq2QZ8w"}
	if !slices.Equal(ids, wantIDs) {
		t.Fatalf("ids = %v\nwant  %v", ids, wantIDs)
	}
	tests := []struct {
		id      string
		title   string
		artists string
		channel string
		album   string
		dur     float64
		kind    search.Kind
	}{
		{"0h6XAAwX8II", "Moments", "Lost Identities|Robbie Rosen", "", "Moments", 220, search.KindSong},
		{"wgpEmlJ3guA", "Moments (Acoustic Version)", "Lost Identities|Robbie Rosen", "", "Moments (Acoustic Version)", 169, search.KindSong},
		{"r51FxWfnbh0", "Those Lost", "Moments", "", "Morning In Solace", 248, search.KindSong},
		{"14CjyUYO8lE", "Moments", "Robbie Rosen|Lost Identities", "Robbie Rosen", "", 219, search.KindVideo},
		{"GnKXjblvqOg", "Lost Identities & Robbie Rosen - Moments (Lyrics)", "", "Lyrics Kart", "", 218, search.KindVideo},
		{"fxhzvHrTO2k", "Moments", "Robbie Rosen|Lost Identities", "Robbie Rosen", "", 221, search.KindVideo},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			c := byID(cands, tt.id)
			if c == nil {
				t.Fatal("missing")
			}
			if c.Title != tt.title || strings.Join(c.Artists, "|") != tt.artists || c.Channel != tt.channel ||
				c.Album != tt.album || c.DurationSeconds != tt.dur || c.Kind != tt.kind {
				t.Errorf("got %+v", *c)
			}
		})
	}
	if !cands[0].TopResult || cands[1].TopResult {
		t.Error("only the card is the top result")
	}
}

func TestParseYouTube(t *testing.T) {
	cands, err := search.ParseYouTube(readFixture(t, "youtube/search_abstrakt_nobody_else.json"), watch)
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) != 22 {
		t.Fatalf("got %d videos, want 22", len(cands))
	}
	first := cands[0]
	if first.VideoID != "bNXMlIogpXc" || first.Channel != "NoCopyrightSounds" || first.DurationSeconds != 162 ||
		!first.Verified || !first.TitleTranslated || first.Kind != search.KindVideo || first.Rank != 0 {
		t.Errorf("first = %+v", first)
	}
	if loop := byID(cands, "G09RJIOL-ZI"); loop == nil || loop.DurationSeconds != 3565 || loop.Verified {
		t.Errorf("1-hour loop = %+v", loop)
	}
	moments, err := search.ParseYouTube(readFixture(t, "youtube/search_lost_identities_moments.json"), watch)
	if err != nil {
		t.Fatal(err)
	}
	if len(moments) != 18 || moments[0].VideoID != "14CjyUYO8lE" {
		t.Fatalf("got %d videos, first %+v", len(moments), moments[0])
	}
	if topic := byID(moments, "wgpEmlJ3guA"); topic == nil || topic.Channel != "Lost Identities - Topic" {
		t.Errorf("topic upload = %+v", topic)
	}
}

func TestParseGarbage(t *testing.T) {
	for _, body := range []string{"", "not json", "[1,2]"} {
		if _, err := search.ParseYTMusic([]byte(body), watch); !errors.Is(err, search.ErrUnavailable) {
			t.Errorf("YTMusic(%q): %v", body, err)
		}
		if _, err := search.ParseYouTube([]byte(body), watch); !errors.Is(err, search.ErrUnavailable) {
			t.Errorf("YouTube(%q): %v", body, err)
		}
	}
	// Valid JSON of another shape is just "no results".
	if c, err := search.ParseYouTube([]byte(`{"contents":{}}`), watch); err != nil || len(c) != 0 {
		t.Errorf("empty: %v %v", c, err)
	}
}

func TestClientsAgainstStandIn(t *testing.T) {
	srv := searchtest.Start(t, searchtest.Options{})
	ctx := context.Background()
	ytm := search.NewYTMusic(search.YTMusicConfig{BaseURL: srv.URL})
	yt := search.NewYouTube(search.YouTubeConfig{BaseURL: srv.URL})

	isrc, err := ytm.Search(ctx, "GB2LD2210007", search.ModeISRC, 5)
	if err != nil || len(isrc) != 1 || isrc[0].URL != "https://music.youtube.com/watch?v=nfyk-V5CoIE" {
		t.Fatalf("ISRC search = %+v, %v", isrc, err)
	}
	songs, err := ytm.Search(ctx, "Lost Identities Moments", search.ModeSongs, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range songs {
		if c.Kind != search.KindSong {
			t.Errorf("songs search returned %+v", c)
		}
	}
	if len(songs) != 4 { // wgpEmlJ3guA, PVUe0rW8qkE (card rows), 0h6XAAwX8II, r51FxWfnbh0
		t.Errorf("songs = %d, want 4", len(songs))
	}
	videos, err := yt.Search(ctx, "abstrakt - nobody else", search.ModeVideos, 5)
	if err != nil || len(videos) != 5 || videos[0].URL != "https://www.youtube.com/watch?v=bNXMlIogpXc" {
		t.Fatalf("YouTube search = %d, %v", len(videos), err)
	}
	if _, err := yt.Search(ctx, "x", search.ModeISRC, 5); !errors.Is(err, search.ErrUnsupportedMode) {
		t.Errorf("YouTube ISRC: %v", err)
	}
	srv.FailNext(1)
	if _, err := yt.Search(ctx, "x", search.ModeVideos, 5); !errors.Is(err, search.ErrUnavailable) {
		t.Errorf("500: %v", err)
	}
	if none, err := ytm.Search(ctx, "never recorded", search.ModeSongs, 5); err != nil || len(none) != 0 {
		t.Errorf("unknown query = %v, %v", none, err)
	}
	want := []string{"WEB_REMIX: GB2LD2210007", "WEB_REMIX: Lost Identities Moments", "WEB: abstrakt - nobody else"}
	if got := srv.Queries()[:3]; !slices.Equal(got, want) {
		t.Errorf("queries = %v", got)
	}
}

func TestRegisteredCandidates(t *testing.T) {
	srv := searchtest.Start(t, searchtest.Options{NoFixtures: true})
	ctx := context.Background()
	media := "http://127.0.0.1:9/media/song.opus"
	srv.Register(searchtest.YTMusic, "Band - Song", []search.Candidate{
		{URL: media, Title: "Song", Artists: []string{"Band", "Guest"}, Album: "LP", DurationSeconds: 61, Kind: search.KindSong, TopResult: true},
		{URL: "http://127.0.0.1:9/media/live.opus", Title: "Song (Live)", Artists: []string{"Band"}, DurationSeconds: 75, Kind: search.KindSong},
		{URL: "http://127.0.0.1:9/media/upload.opus", Title: "Band - Song (lyrics)", Channel: "Someone", DurationSeconds: 61, Kind: search.KindVideo},
	})
	srv.Register(searchtest.YouTube, "Band - Song", []search.Candidate{
		{URL: media, VideoID: "abcdefghijk", Title: "Band - Song", Channel: "Band", DurationSeconds: 3725, Verified: true},
	})
	ytm := search.NewYTMusic(search.YTMusicConfig{BaseURL: srv.URL, WatchURL: srv.WatchURL})
	got, err := ytm.Search(ctx, "band - song", search.ModeISRC, 0)
	if err != nil || len(got) != 3 {
		t.Fatalf("got %+v, %v", got, err)
	}
	if got[0].URL != media || !got[0].TopResult || strings.Join(got[0].Artists, ",") != "Band,Guest" || got[0].Album != "LP" || got[0].DurationSeconds != 61 {
		t.Errorf("card = %+v", got[0])
	}
	if got[2].Kind != search.KindVideo || got[2].Channel != "Someone" || len(got[2].Artists) != 0 {
		t.Errorf("upload = %+v", got[2])
	}
	yt := search.NewYouTube(search.YouTubeConfig{BaseURL: srv.URL, WatchURL: srv.WatchURL})
	vids, err := yt.Search(ctx, "Band - Song", search.ModeVideos, 0)
	if err != nil || len(vids) != 1 || vids[0].URL != media || vids[0].DurationSeconds != 3725 || !vids[0].Verified {
		t.Fatalf("videos = %+v, %v", vids, err)
	}
}
