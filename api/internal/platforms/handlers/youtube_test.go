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
		// A tab chosen, an artist page, a playlist: their own address.
		{"https://www.youtube.com/@synthwave/shorts", ""},
		{"https://www.youtube.com/@synthwave/videos", ""},
		{"https://music.youtube.com/channel/UCabcdefghijklmnopqrstuv", ""},
		{"https://www.youtube.com/playlist?list=PLabcdefghijklmnop", ""},
		{"https://www.youtube.com/watch?v=aaaaaaaaaaa", ""},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			it := downloads.Item{ID: uuid.New(), URL: tc.url, Platform: "youtube", Kind: "channel",
				Options: ytdlp.Options{PlaylistItems: "1-2"}}
			exp, err := handlers.YouTube{}.Expand(context.Background(), it)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.list
			if want == "" {
				want = tc.url
			}
			if exp.ListURL != want || exp.Children != nil {
				t.Fatalf("expansion %+v; want yt-dlp to list %s", exp, want)
			}
		})
	}
}

func TestYouTubeSourceAndFailures(t *testing.T) {
	y := handlers.YouTube{}
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
		{&ytdlp.ExitError{Reason: ytdlp.ReasonRateLimited}, "rate_limited", "lower YouTube's concurrency"},
		{&ytdlp.ExitError{Reason: ytdlp.ReasonFormatUnavailable}, "youtube_blocked", "challenge solver on the System page"},
		{&ytdlp.ExitError{Reason: ytdlp.ReasonMediaForbidden}, "youtube_blocked", "PO-token provider"},
		{&ytdlp.ExitError{Reason: ytdlp.ReasonDRM}, "", ""},
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
