package search_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/spotify/search"
)

// ytdlpOutput has the shape `yt-dlp --flat-playlist -J ytsearchN:` prints.
const ytdlpOutput = `{"id":"Abstrakt - Nobody Else","title":"Abstrakt - Nobody Else","_type":"playlist","entries":[
{"_type":"url","ie_key":"Youtube","id":"bNXMlIogpXc","url":"https://www.youtube.com/watch?v=bNXMlIogpXc","title":"Abstrakt - Nobody Else | Future Trap | NCS - Copyright Free Music","duration":162.0,"channel":"NoCopyrightSounds","channel_is_verified":true,"uploader":"NoCopyrightSounds"},
{"_type":"url","ie_key":"Youtube","id":"liveliveliv","url":"https://www.youtube.com/watch?v=liveliveliv","title":"24/7 radio","duration":null,"live_status":"is_live"},
{"_type":"url","ie_key":"Youtube","id":"G09RJIOL-ZI","url":"https://www.youtube.com/watch?v=G09RJIOL-ZI","title":"Abstrakt - Nobody Else [NCS Release] 1 hour","duration":3565,"uploader":"1 hour vibe"}
],"extractor":"youtube:search","webpage_url":"ytsearch3:Abstrakt - Nobody Else"}`

func fakeYTDLP(t *testing.T, script string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "yt-dlp")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestYTDLPArgs(t *testing.T) {
	y := search.NewYTDLP(search.YTDLPConfig{Proxy: "http://127.0.0.1:3128"})
	got := y.Args("--exec=rm -rf / song", 5)
	want := []string{"--flat-playlist", "-J", "--ignore-config", "--no-exec", "--no-warnings",
		"--proxy", "http://127.0.0.1:3128", "--", "ytsearch5:--exec=rm -rf / song"}
	if !slices.Equal(got, want) {
		t.Fatalf("args = %q", got)
	}
}

func TestYTDLPSearch(t *testing.T) {
	dir := t.TempDir()
	argsFile := filepath.Join(dir, "args")
	outFile := filepath.Join(dir, "out.json")
	if err := os.WriteFile(outFile, []byte(ytdlpOutput), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := fakeYTDLP(t, `for a in "$@"; do printf '%s\n' "$a"; done > '`+argsFile+`'
cat '`+outFile+`'
`)
	y := search.NewYTDLP(search.YTDLPConfig{Path: bin})
	cands, err := y.Search(context.Background(), "Abstrakt - Nobody Else", search.ModeVideos, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) != 2 || cands[0].VideoID != "bNXMlIogpXc" || cands[0].DurationSeconds != 162 || !cands[0].Verified ||
		cands[0].Source != search.SourceYTDLP || cands[1].Channel != "1 hour vibe" || cands[1].Rank != 1 {
		t.Fatalf("candidates = %+v", cands)
	}
	args, _ := os.ReadFile(argsFile)
	if !strings.HasSuffix(string(args), "--\nytsearch3:Abstrakt - Nobody Else\n") {
		t.Errorf("argv = %q", args)
	}
}

func TestYTDLPFailures(t *testing.T) {
	tests := []struct {
		name    string
		script  string
		timeout time.Duration
		want    error
	}{
		{"exit code", "echo 'ERROR: unable to download' >&2; exit 1", 0, search.ErrUnavailable},
		{"garbage", "echo not-json", 0, search.ErrUnavailable},
		{"hangs", "sleep 30 & sleep 30; wait", 200 * time.Millisecond, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := search.NewYTDLP(search.YTDLPConfig{Path: fakeYTDLP(t, tt.script), Timeout: tt.timeout})
			start := time.Now()
			_, err := y.Search(context.Background(), "q", search.ModeVideos, 3)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if time.Since(start) > 10*time.Second {
				t.Error("process group was not killed in time")
			}
		})
	}
	if _, err := search.NewYTDLP(search.YTDLPConfig{}).Search(context.Background(), "q", search.ModeISRC, 1); !errors.Is(err, search.ErrUnsupportedMode) {
		t.Errorf("ISRC: %v", err)
	}
}
