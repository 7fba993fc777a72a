package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/platforms/handlers"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

func TestInstagramPostsDownloadEveryEntryAsOneItem(t *testing.T) {
	cases := []struct {
		url string
		all bool
	}{
		{"https://www.instagram.com/p/C0abcdefghi/", true},
		{"https://instagram.com/p/C0abcdefghi/?img_index=2&igsh=xyz", true},
		{"https://www.instagram.com/someone/p/C0abcdefghi/", true},
		{"https://www.instagram.com/reel/C0abcdefghi/", false},
		{"https://www.instagram.com/reels/C0abcdefghi/", false},
		{"https://www.instagram.com/tv/C0abcdefghi/", false},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			it := downloads.Item{ID: uuid.New(), URL: tc.url, Platform: "instagram"}
			src, err := handlers.Instagram{}.Source(context.Background(), it)
			if err != nil || src.URL != tc.url || src.AllEntries != tc.all {
				t.Errorf("source %+v, %v; want all entries %v", src, err, tc.all)
			}
		})
	}
	if _, _, ok, err := (handlers.Instagram{}).Expand(context.Background(), downloads.Item{URL: cases[0].url}); ok || err != nil {
		t.Errorf("Expand took over: %v %v", ok, err)
	}
}

func TestInstagramLoginWallsNameTheCookiesSetting(t *testing.T) {
	cases := []struct {
		reason     ytdlp.Reason
		code, says string
	}{
		{ytdlp.ReasonLoginRequired, "login_required", "Settings → Platforms → Instagram → Cookies"},
		{ytdlp.ReasonPrivate, "private", "Settings → Platforms → Instagram → Cookies"},
		{ytdlp.ReasonUnavailable, "", ""},
	}
	for _, tc := range cases {
		got := handlers.Instagram{}.ExplainFailure(&ytdlp.ExitError{Reason: tc.reason})
		if failureCode(got) != tc.code || (got != nil && !strings.Contains(got.Error(), tc.says)) {
			t.Errorf("%s: reworded to %v", tc.reason, got)
		}
	}
}
