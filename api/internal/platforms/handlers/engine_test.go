package handlers_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/downloads/downloadstest"
	"github.com/downlink/downlink/api/internal/platforms/handlers"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testmedia"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// These tests run the real downloads service (downloadstest: rows,
// expansion, file registration) with the platform handlers, and a scripted
// yt-dlp: the real extractors cannot reach YouTube or Instagram offline.

// newEngine is the engine with YouTube's handler and the given ones (by
// platform: Instagram's and Spotify's need their stand-ins).
func newEngine(t *testing.T, runner *downloadstest.Runner, hs map[string]downloads.PlatformHandler) *downloadstest.Engine {
	t.Helper()
	all := map[string]downloads.PlatformHandler{"youtube": handlers.YouTube{}}
	for k, h := range hs {
		all[k] = h
	}
	return downloadstest.New(t, downloadstest.Options{Runner: runner, Handlers: all})
}

func TestEngineYouTubeChannelLatestN(t *testing.T) {
	e := newEngine(t, &downloadstest.Runner{Playlist: channelUploads(), Files: 1}, nil)
	d := e.Submit(t, "https://www.youtube.com/@synthwave", `{"playlist_items":"1-2"}`)
	e.Drain(t)
	if len(e.Runner.Listed) != 1 || e.Runner.Listed[0] != "https://www.youtube.com/@synthwave/videos 1-2" {
		t.Fatalf("listed %v; want the videos tab with items 1-2", e.Runner.Listed)
	}
	kids := e.Children(t, d.ID)
	if len(kids) != 2 || kids[0].URL != "https://www.youtube.com/watch?v=aaaaaaaaaaa" || kids[0].Kind != "video" {
		t.Fatalf("children %+v", kids)
	}
	for _, j := range e.Runner.Jobs {
		if j.AllEntries || j.Options.PlaylistItems != "" {
			t.Errorf("a child ran as a Playlist: %+v", j)
		}
	}
	if got := e.Get(t, d.ID); got.Status != downloads.StatusCompleted || got.Kind != "channel" || *got.Title != "Synthwave Test - Videos" {
		t.Errorf("parent %s %s %v", got.Status, got.Kind, got.Title)
	}
}

func TestEngineYouTubePlaylistExpands(t *testing.T) {
	pl := &ytdlp.Playlist{ID: "PLabcdefghijklmnop", Title: "Mix", Entries: []ytdlp.PlaylistEntry{
		{Index: 1, URL: "https://www.youtube.com/watch?v=aaaaaaaaaaa", Title: "One", DurationSeconds: 60},
		{Index: 2, URL: "https://www.youtube.com/watch?v=bbbbbbbbbbb", Title: "Two", DurationSeconds: 70},
		{Index: 3, URL: "https://www.youtube.com/watch?v=ccccccccccc", Title: "Three", DurationSeconds: 80},
	}}
	e := newEngine(t, &downloadstest.Runner{Playlist: pl, Files: 1}, nil)
	d := e.Submit(t, "https://www.youtube.com/playlist?list=PLabcdefghijklmnop&si=x", `{}`)
	e.Drain(t)
	if len(e.Runner.Listed) != 1 || e.Runner.Listed[0] != "https://www.youtube.com/playlist?list=PLabcdefghijklmnop&si=x " {
		t.Fatalf("listed %v", e.Runner.Listed)
	}
	kids := e.Children(t, d.ID)
	if len(kids) != 3 || kids[2].URL != "https://www.youtube.com/watch?v=ccccccccccc" || kids[2].PlaylistIndex != 3 {
		t.Fatalf("children %+v", kids)
	}
	if len(e.Runner.Jobs) != 3 || e.Runner.Jobs[1].URL != "https://www.youtube.com/watch?v=bbbbbbbbbbb" || e.Runner.Jobs[1].AllEntries {
		t.Errorf("jobs %+v", e.Runner.Jobs)
	}
	if got := e.Get(t, d.ID); got.Status != downloads.StatusCompleted || got.ChildrenCount != 3 {
		t.Errorf("parent %+v", got)
	}
}

func TestEngineInstagramPostIsOneDownloadWithEveryItem(t *testing.T) {
	ig := newIGWorld(t)
	broken := ig.photoItem("gone")
	broken.Body = nil
	ig.post("C0carousel2", ig.photoItem("a"), ig.videoItem("b"), ig.photoItem("c"))
	ig.post("C0brokenone", ig.photoItem("d"), broken, ig.photoItem("e"))
	ig.post("C0reelvideo", ig.videoItem("r"))
	e := newEngine(t, &downloadstest.Runner{Files: 1}, map[string]downloads.PlatformHandler{"instagram": ig.h})
	carousel := e.Submit(t, "https://www.instagram.com/p/C0carousel2/?img_index=1", `{}`)
	partial := e.Submit(t, "https://www.instagram.com/p/C0brokenone/", `{}`)
	reel := e.Submit(t, "https://www.instagram.com/reel/C0reelvideo/", `{}`)
	e.Drain(t)

	got := e.Get(t, carousel.ID)
	if got.Status != downloads.StatusCompleted || got.ChildrenCount != 0 || len(got.Files) != 3 || len(got.Warnings) != 0 ||
		*got.Title != "Post by natgeo" || *got.Uploader != "National Geographic" {
		t.Fatalf("carousel %s %v with %d children, %d files, warnings %v", got.Status, got.Title, got.ChildrenCount, len(got.Files), got.Warnings)
	}
	kinds := []string{}
	for _, f := range got.Files {
		kinds = append(kinds, f.Kind)
	}
	if strings.Join(kinds, ",") != "image,video,image" || !strings.HasSuffix(got.Files[0].Name, ".001.jpg") {
		t.Errorf("files %+v", got.Files)
	}

	got = e.Get(t, partial.ID)
	if got.Status != downloads.StatusCompleted || len(got.Files) != 2 || len(got.Warnings) != 1 || got.Warnings[0].Code != "items_skipped" ||
		!strings.HasPrefix(got.Warnings[0].Message, "Downloaded 2 of 3 items. Skipped item 2 (photo)") || got.Error != nil {
		t.Fatalf("partial post %s, %d files, warnings %+v, error %+v", got.Status, len(got.Files), got.Warnings, got.Error)
	}
	if r := e.Get(t, reel.ID); r.Status != downloads.StatusCompleted || len(r.Files) != 1 || *r.Title != "Video by natgeo" {
		t.Errorf("reel %s %v", r.Status, r.Title)
	}
	for _, j := range e.Runner.Jobs {
		if j.AllEntries || !strings.HasPrefix(j.URL, ig.ig.URL+"/media/") {
			t.Errorf("yt-dlp ran on %s (all entries %v); only the videos' own addresses", j.URL, j.AllEntries)
		}
	}
}

func TestEngineSpotifyNeedsMatchThenMatchedByURL(t *testing.T) {
	w := newSpotifyWorld(t)
	e := newEngine(t, &downloadstest.Runner{Files: 1, Audio: testmedia.GenerateAudio(t, testmedia.AudioSpec{Format: "mp3"})}, map[string]downloads.PlatformHandler{"spotify": w.h})
	ctx := context.Background()
	d := e.Submit(t, "spotify:track:"+w.album.Tracks[2].ID, `{}`) // "Lost Signal": no confident match
	e.Drain(t)
	got := e.Get(t, d.ID)
	if got.Status != downloads.StatusNeedsMatch || got.Match == nil || len(got.Match.Candidates) != 2 || got.Error == nil ||
		got.Error.Code != "no_confident_match" || len(e.Runner.Jobs) != 0 {
		t.Fatalf("after matching: %s %+v %+v; %d runs", got.Status, got.Match, got.Error, len(e.Runner.Jobs))
	}
	refused := []struct {
		name   string
		choice downloads.MatchChoice
	}{
		{"index out of range", downloads.MatchChoice{CandidateIndex: ptrTo(2)}},
		{"negative index", downloads.MatchChoice{CandidateIndex: ptrTo(-1)}},
		{"a Spotify page", downloads.MatchChoice{CandidateURL: "https://open.spotify.com/track/" + w.album.Tracks[0].ID}},
		{"a Spotify URI", downloads.MatchChoice{CandidateURL: "spotify:track:" + w.album.Tracks[0].ID}},
		{"not a URL", downloads.MatchChoice{CandidateURL: "--exec=rm"}},
	}
	for _, tc := range refused {
		var p *problem.Problem
		if _, err := e.Svc.Match(ctx, e.User, d.ID, tc.choice); !errors.As(err, &p) || p.Status != 422 ||
			len(p.Errors) != 1 || !strings.HasPrefix(p.Errors[0].Field, "candidate_") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	other := &authz.Principal{UserID: uuid.New(), Role: authz.RoleUser, Method: authz.MethodSession}
	if _, err := e.Svc.Match(ctx, other, d.ID, downloads.MatchChoice{CandidateIndex: ptrTo(0)}); !errors.Is(err, downloads.ErrNotFound) {
		t.Errorf("another user's item: %v", err)
	}

	own := "https://music.youtube.com/watch?v=zzzzzzzzzzz"
	m, err := e.Svc.Match(ctx, e.User, d.ID, downloads.MatchChoice{CandidateURL: " " + own + " "})
	if err != nil || m.Status != downloads.StatusQueued || !m.Match.Manual || *m.Match.ChosenURL != own || m.Match.Score != nil || m.Error != nil {
		t.Fatalf("match: %+v %v", m, err)
	}
	if _, err := e.Svc.Match(ctx, e.User, d.ID, downloads.MatchChoice{CandidateIndex: ptrTo(0)}); !errors.Is(err, downloads.ErrNotAwaitingMatch) {
		t.Errorf("second match: %v", err)
	}
	e.Drain(t)
	if len(e.Runner.Jobs) != 1 || e.Runner.Jobs[0].URL != own || e.Runner.Jobs[0].Options.AudioFormat != ytdlp.AudioMP3 {
		t.Fatalf("runs %+v", e.Runner.Jobs)
	}
	got = e.Get(t, d.ID)
	if got.Status != downloads.StatusCompleted || len(got.Files) != 1 || *got.SourceURL != own || *got.Title != "Lost Signal" {
		t.Fatalf("after download: %s %+v", got.Status, got)
	}
	if _, err := e.Svc.Match(ctx, e.User, d.ID, downloads.MatchChoice{CandidateIndex: ptrTo(0)}); !errors.Is(err, downloads.ErrNotAwaitingMatch) {
		t.Errorf("match of a completed item: %v", err)
	}
}

func ptrTo[T any](v T) *T { return &v }
