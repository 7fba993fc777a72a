package account_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/secrets"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/account"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// appSettings are fixed Spotify settings the test may change.
type appSettings struct {
	mu  sync.Mutex
	cfg settings.SpotifyConfig
}

func (s *appSettings) Spotify(context.Context) settings.SpotifyConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

type world struct {
	srv      *spotifytest.Server
	svc      *account.Service
	settings *appSettings
	admin    uuid.UUID
	now      time.Time
}

const redirect = "http://127.0.0.1:8080" + account.RedirectPath

func newWorld(t *testing.T) (*world, func(q string, args ...any) []map[string]any) {
	t.Helper()
	st := storetest.New(t)
	keys, err := secrets.Load("test-secret-key-0123456789abcdef", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := spotifytest.Start(t, spotifytest.Options{NoFixtures: true, DevMode: true, RedirectURI: redirect,
		TokenLifetime: 2 * time.Minute})
	srv.AddUser(spotifytest.User{ID: "ana", DisplayName: "Ana", Product: "premium"})
	srv.SignIn("ana")
	cfg := srv.Config()
	w := &world{srv: srv, admin: uuid.New(), now: time.Now(),
		settings: &appSettings{cfg: settings.SpotifyConfig{ClientID: cfg.ClientID, APIBaseURL: cfg.BaseURL, TokenURL: cfg.TokenURL}}}
	w.svc = account.New(account.Deps{DB: st.DB, Keys: keys, Settings: w.settings, Now: func() time.Time { return w.now }})
	rows := func(q string, args ...any) []map[string]any {
		var out []map[string]any
		if err := st.DB.Raw(q, args...).Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	return w, rows
}

// connect runs the whole flow as the admin's browser would.
func (w *world) connect(t *testing.T) account.Status {
	t.Helper()
	ctx := context.Background()
	authURL, err := w.svc.Begin(ctx, w.admin, redirect)
	if err != nil {
		t.Fatal(err)
	}
	back := follow(t, authURL)
	st, err := w.svc.Complete(ctx, w.admin, back.Get("state"), back.Get("code"), back.Get("error"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func follow(t *testing.T, authURL string) (q interface{ Get(string) string }) {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil || !strings.HasPrefix(loc.String(), redirect) {
		t.Fatalf("authorize sent the browser to %v (%v)", loc, err)
	}
	return loc.Query()
}

func TestConnectReadRefreshDisconnect(t *testing.T) {
	w, rows := newWorld(t)
	ctx := context.Background()
	if st, err := w.svc.Status(ctx); err != nil || st.Connected {
		t.Fatalf("before: %+v %v", st, err)
	}
	st := w.connect(t)
	if !st.Connected || *st.UserID != "ana" || *st.DisplayName != "Ana" || *st.Product != "premium" || st.ClientMismatch ||
		strings.Join(st.Scopes, " ") != strings.Join(spotify.AccountScopes, " ") {
		t.Fatalf("status %+v", st)
	}

	// Sealed at rest: the tokens never sit in the database in the clear.
	pl := w.srv.AddPlaylistOwnedBy(spotify.Collection{Name: "Ana's private mix", Owner: "Ana", Tracks: []spotify.Track{
		{Name: "One", Artists: []string{"Band"}, DurationMs: 100000, ISRC: "QZTEST000201"}}}, "ana", true)
	tok, err := w.svc.AccessToken(ctx)
	if err != nil || !strings.HasPrefix(tok, "standin-") {
		t.Fatalf("access token %q %v", tok, err)
	}
	for _, r := range rows("SELECT * FROM spotify_accounts") {
		for k, v := range r {
			if s, ok := v.(string); ok && (strings.Contains(s, tok) || strings.HasPrefix(s, "refresh-")) {
				t.Errorf("column %s holds a token in the clear", k)
			}
		}
	}
	if n := len(rows("SELECT * FROM spotify_auth_requests")); n != 0 {
		t.Errorf("%d authorization attempts left after use", n)
	}

	// The account reads its private playlist through /items.
	cfg := w.srv.Config()
	cfg.ClientSecret = "" // PKCE only: every call as the account
	cfg.Account = w.svc
	col, err := spotify.New(cfg).Playlist(ctx, pl.ID)
	if err != nil || len(col.Tracks) != 1 || col.Tracks[0].ISRC != "QZTEST000201" {
		t.Fatalf("private playlist: %+v %v", col, err)
	}

	// Close to expiry the token is refreshed (and the rotated refresh
	// token kept: a second refresh works too).
	for i := 1; i <= 2; i++ {
		w.now = w.now.Add(2 * time.Minute)
		fresh, err := w.svc.AccessToken(ctx)
		if err != nil || fresh == tok {
			t.Fatalf("refresh %d: %q %v", i, fresh, err)
		}
		tok = fresh
		if n := w.srv.Grants("refresh_token"); n != i {
			t.Errorf("%d refresh grants after %d refreshes", n, i)
		}
	}
	again, _ := w.svc.AccessToken(ctx)
	if again != tok || w.srv.Grants("refresh_token") != 2 {
		t.Errorf("a fresh token was refreshed again")
	}

	// A token Spotify rejects is dropped, and the next call refreshes.
	w.svc.Expire(ctx, tok)
	if fresh, err := w.svc.AccessToken(ctx); err != nil || fresh == tok {
		t.Errorf("after Expire: %q %v", fresh, err)
	}

	// The user removed the app at spotify.com.
	w.srv.RevokeGrants()
	w.now = w.now.Add(5 * time.Minute)
	if _, err := w.svc.AccessToken(ctx); !errors.Is(err, spotify.ErrAccountRevoked) {
		t.Errorf("revoked grant: %v", err)
	}

	// Another client id: the grant belongs to the old app.
	w.settings.mu.Lock()
	w.settings.cfg.ClientID = "another-app"
	w.settings.mu.Unlock()
	if st, _ := w.svc.Status(ctx); !st.ClientMismatch || w.svc.Connected(ctx) {
		t.Errorf("after the client id changed: %+v", st)
	}
	if err := w.svc.Disconnect(ctx, w.admin); err != nil {
		t.Fatal(err)
	}
	if st, _ := w.svc.Status(ctx); st.Connected || len(rows("SELECT * FROM spotify_accounts")) != 0 {
		t.Errorf("after disconnect: %+v", st)
	}
	if err := w.svc.Disconnect(ctx, w.admin); !errors.Is(err, account.ErrNotConnected) {
		t.Errorf("second disconnect: %v", err)
	}
}

func TestCompleteRefusals(t *testing.T) {
	w, rows := newWorld(t)
	ctx := context.Background()
	start := func() interface{ Get(string) string } {
		authURL, err := w.svc.Begin(ctx, w.admin, redirect)
		if err != nil {
			t.Fatal(err)
		}
		return follow(t, authURL)
	}
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"unknown state", func() error {
			back := start()
			_, err := w.svc.Complete(ctx, w.admin, "forged", back.Get("code"), "")
			return err
		}, account.ErrBadState},
		{"another admin's attempt", func() error {
			back := start()
			_, err := w.svc.Complete(ctx, uuid.New(), back.Get("state"), back.Get("code"), "")
			return err
		}, account.ErrBadState},
		{"used twice", func() error {
			back := start()
			if _, err := w.svc.Complete(ctx, w.admin, back.Get("state"), back.Get("code"), ""); err != nil {
				return err
			}
			_, err := w.svc.Complete(ctx, w.admin, back.Get("state"), back.Get("code"), "")
			return err
		}, account.ErrBadState},
		{"expired", func() error {
			back := start()
			w.now = w.now.Add(11 * time.Minute)
			defer func() { w.now = w.now.Add(-11 * time.Minute) }()
			_, err := w.svc.Complete(ctx, w.admin, back.Get("state"), back.Get("code"), "")
			return err
		}, account.ErrBadState},
		{"declined on Spotify's page", func() error {
			w.srv.DenyNext()
			back := start()
			_, err := w.svc.Complete(ctx, w.admin, back.Get("state"), back.Get("code"), back.Get("error"))
			return err
		}, account.ErrDenied},
	}
	for _, tc := range cases {
		if err := tc.run(); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	w.settings.mu.Lock()
	w.settings.cfg.ClientID = ""
	w.settings.mu.Unlock()
	if _, err := w.svc.Begin(ctx, w.admin, redirect); !errors.Is(err, account.ErrNoClientID) || !strings.Contains(err.Error(), redirect) {
		t.Errorf("without a client id: %v", err)
	}
	if n := len(rows("SELECT * FROM spotify_auth_requests")); n > 1 {
		t.Errorf("%d attempts kept; used and expired ones are removed", n)
	}
}
