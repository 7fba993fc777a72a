package handlers_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/platforms/handlers"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// fakeLister answers channel listings with a recorded shape.
type fakeLister struct {
	urls, items []string
	pl          *ytdlp.Playlist
}

func (f *fakeLister) ListEntries(_ context.Context, it downloads.Item, url string) (*ytdlp.Playlist, error) {
	f.urls, f.items = append(f.urls, url), append(f.items, it.Options.PlaylistItems)
	return f.pl, nil
}

// channelUploads is how yt-dlp --flat-playlist lists a channel's videos
// tab: newest first, watch URLs, titles and durations.
func channelUploads() *ytdlp.Playlist {
	return &ytdlp.Playlist{ID: "UCabcdefghijklmnopqrstuv", Title: "Synthwave Test - Videos", Entries: []ytdlp.PlaylistEntry{
		{Index: 1, URL: "https://www.youtube.com/watch?v=aaaaaaaaaaa", ID: "aaaaaaaaaaa", Title: "Newest", DurationSeconds: 201},
		{Index: 2, URL: "https://www.youtube.com/watch?v=bbbbbbbbbbb", ID: "bbbbbbbbbbb", Title: "Older", DurationSeconds: 185},
	}}
}

func TestYouTubeChannelsExpandFromTheirVideosTab(t *testing.T) {
	cases := []struct{ url, list string }{
		{"https://www.youtube.com/@synthwave", "https://www.youtube.com/@synthwave/videos"},
		{"https://m.youtube.com/@synthwave?si=x", "https://www.youtube.com/@synthwave/videos"},
		{"https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv", "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv/videos"},
		{"https://www.youtube.com/c/SynthwaveTest", "https://www.youtube.com/c/SynthwaveTest/videos"},
		{"https://www.youtube.com/user/synthwave", "https://www.youtube.com/user/synthwave/videos"},
		// A tab chosen, an artist page, a playlist: the plain listing.
		{"https://www.youtube.com/@synthwave/shorts", ""},
		{"https://www.youtube.com/@synthwave/videos", ""},
		{"https://music.youtube.com/channel/UCabcdefghijklmnopqrstuv", ""},
		{"https://www.youtube.com/playlist?list=PLabcdefghijklmnop", ""},
		{"https://www.youtube.com/watch?v=aaaaaaaaaaa", ""},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			f := &fakeLister{pl: channelUploads()}
			y := &handlers.YouTube{Lister: f}
			it := downloads.Item{ID: uuid.New(), URL: tc.url, Platform: "youtube", Kind: "channel",
				Options: ytdlp.Options{PlaylistItems: "1-2"}}
			title, children, ok, err := y.Expand(context.Background(), it)
			if err != nil {
				t.Fatal(err)
			}
			if tc.list == "" {
				if ok || len(f.urls) != 0 {
					t.Fatalf("listed %v (ok=%v); want the plain listing", f.urls, ok)
				}
				return
			}
			if !ok || len(f.urls) != 1 || f.urls[0] != tc.list || f.items[0] != "1-2" {
				t.Fatalf("listed %v with items %v (ok=%v); want %s with 1-2", f.urls, f.items, ok, tc.list)
			}
			if title != "Synthwave Test - Videos" || len(children) != 2 || children[0].URL != "https://www.youtube.com/watch?v=aaaaaaaaaaa" ||
				children[0].Kind != "video" || children[0].Title != "Newest" || children[1].Duration != 185 {
				t.Errorf("expanded %q into %+v", title, children)
			}
		})
	}
}

func TestYouTubeSourceAndFailures(t *testing.T) {
	y := &handlers.YouTube{}
	it := downloads.Item{ID: uuid.New(), URL: "https://youtu.be/aaaaaaaaaaa?t=42", Platform: "youtube", Kind: "video"}
	src, err := y.Source(context.Background(), it)
	if err != nil || src.URL != it.URL || src.AllEntries {
		t.Errorf("source %+v, %v", src, err)
	}
	cases := []struct {
		err        error
		code, says string
	}{
		{&ytdlp.ExitError{Reason: ytdlp.ReasonBotCheck, SafeMessage: "x"}, "bot_check", "Settings → Platforms → YouTube → Cookies"},
		{&ytdlp.ExitError{Reason: ytdlp.ReasonLoginRequired}, "login_required", "Settings → Platforms → YouTube → Cookies"},
		{&ytdlp.ExitError{Reason: ytdlp.ReasonGeoBlocked}, "", ""},
		{errors.New("other"), "", ""},
	}
	for _, tc := range cases {
		got := y.ExplainFailure(tc.err)
		if failureCode(got) != tc.code || (got != nil && !strings.Contains(got.Error(), tc.says)) {
			t.Errorf("%v: reworded to %v", tc.err, got)
		}
	}
}
