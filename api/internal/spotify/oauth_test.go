package spotify_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
)

// authorize opens the accounts service's consent page as a browser would
// and returns the callback query it redirects to.
func authorize(t *testing.T, authURL string) url.Values {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("authorize answered %d %v", resp.StatusCode, err)
	}
	return loc.Query()
}

// userToken is a TokenSource holding one user's access token.
type userToken struct{ tok string }

func (u *userToken) AccessToken(context.Context) (string, error) { return u.tok, nil }
func (u *userToken) Expire(context.Context, string)              {}

func TestOAuthPKCE(t *testing.T) {
	srv := spotifytest.Start(t, spotifytest.Options{NoFixtures: true, DevMode: true, RedirectURI: "http://127.0.0.1:9/callback"})
	srv.AddUser(spotifytest.User{ID: "ana", DisplayName: "Ana", Product: "free"})
	srv.SignIn("ana")
	cfg := srv.Config()
	ctx := context.Background()
	for _, secret := range []string{"", cfg.ClientSecret} {
		name := map[bool]string{true: "PKCE only (no secret)", false: "with the app secret"}[secret == ""]
		t.Run(name, func(t *testing.T) {
			o := spotify.NewOAuth(spotify.OAuthConfig{ClientID: cfg.ClientID, ClientSecret: secret, TokenURL: cfg.TokenURL,
				RedirectURI: "http://127.0.0.1:9/callback"})
			verifier := spotify.NewVerifier()
			authURL := o.AuthCodeURL("state-1", verifier)
			u, _ := url.Parse(authURL)
			q := u.Query()
			if u.Path != "/authorize" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" ||
				strings.Contains(authURL, verifier) || !strings.Contains(q.Get("scope"), "playlist-read-private") {
				t.Fatalf("authorization URL %s", authURL)
			}
			back := authorize(t, authURL)
			if back.Get("state") != "state-1" || back.Get("code") == "" {
				t.Fatalf("callback %v", back)
			}
			if _, err := o.Exchange(ctx, back.Get("code"), spotify.NewVerifier()); !errors.Is(err, spotify.ErrAccountRevoked) {
				t.Errorf("exchange with another verifier: %v", err) // the code is spent too
			}
			back = authorize(t, o.AuthCodeURL("state-2", verifier))
			tok, err := o.Exchange(ctx, back.Get("code"), verifier)
			if err != nil || tok.AccessToken == "" || tok.RefreshToken == "" || tok.Lifetime <= 0 {
				t.Fatalf("exchange: %+v %v", tok, err)
			}
			me, err := spotify.New(spotify.Config{BaseURL: srv.URL, Account: &userToken{tok.AccessToken}}).Me(ctx)
			if err != nil || me.ID != "ana" || me.DisplayName != "Ana" {
				t.Fatalf("me: %+v %v", me, err)
			}
			fresh, err := o.Refresh(ctx, tok.RefreshToken)
			if err != nil || fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken {
				t.Fatalf("refresh: %+v %v (Spotify rotates the refresh token)", fresh, err)
			}
			if _, err := o.Refresh(ctx, tok.RefreshToken); !errors.Is(err, spotify.ErrAccountRevoked) {
				t.Errorf("the spent refresh token: %v", err)
			}
		})
	}
	t.Run("declined", func(t *testing.T) {
		o := spotify.NewOAuth(spotify.OAuthConfig{ClientID: cfg.ClientID, TokenURL: cfg.TokenURL, RedirectURI: "http://127.0.0.1:9/callback"})
		srv.DenyNext()
		if back := authorize(t, o.AuthCodeURL("s", spotify.NewVerifier())); back.Get("error") != "access_denied" || back.Get("code") != "" {
			t.Errorf("callback %v", back)
		}
	})
	t.Run("wrong client id", func(t *testing.T) {
		o := spotify.NewOAuth(spotify.OAuthConfig{ClientID: "someone-else", TokenURL: cfg.TokenURL})
		if _, err := o.Refresh(ctx, "refresh-x"); !errors.Is(err, spotify.ErrUnauthorized) {
			t.Errorf("refresh as another client: %v", err)
		}
	})
}

// TestPrivatePlaylistAsAccount: in Development Mode only the owner's token
// reads a playlist's entries, from /items; an app token gets a 403.
func TestPrivatePlaylistAsAccount(t *testing.T) {
	for _, shape := range []spotifytest.PlaylistShape{spotifytest.ShapeTransitional, spotifytest.ShapeItemsOnly} {
		srv := spotifytest.Start(t, spotifytest.Options{NoFixtures: true, DevMode: true, Shape: shape})
		srv.AddUser(spotifytest.User{ID: "ana", DisplayName: "Ana"})
		srv.SignIn("ana")
		pl := srv.AddPlaylistOwnedBy(spotify.Collection{Name: "Ana's secret mix", Owner: "Ana", Tracks: []spotify.Track{
			{Name: "One", Artists: []string{"Band"}, Album: "LP", DurationMs: 100000, ISRC: "QZTEST000101"},
			{Name: "Two", Artists: []string{"Band"}, Album: "LP", DurationMs: 110000, ISRC: "QZTEST000102"},
		}}, "ana", true)
		cfg := srv.Config()
		ctx := context.Background()

		if _, err := spotify.New(cfg).Playlist(ctx, pl.ID); !errors.Is(err, spotify.ErrNotFound) {
			t.Errorf("shape %d: app token on a private playlist: %v", shape, err)
		}
		o := spotify.NewOAuth(spotify.OAuthConfig{ClientID: cfg.ClientID, TokenURL: cfg.TokenURL, RedirectURI: "http://127.0.0.1:9/cb"})
		v := spotify.NewVerifier()
		tok, err := o.Exchange(ctx, authorize(t, o.AuthCodeURL("s", v)).Get("code"), v)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Account = &userToken{tok.AccessToken}
		col, err := spotify.New(cfg).Playlist(ctx, pl.ID)
		if err != nil || len(col.Tracks) != 2 || col.Tracks[1].ISRC != "QZTEST000102" || col.Source != spotify.SourceWebAPI {
			t.Fatalf("shape %d: as the owner: %+v %v", shape, col, err)
		}
		if srv.CountRequests("GET /v1/playlists/"+pl.ID+"/items") == 0 {
			t.Errorf("shape %d: /items was not read: %v", shape, srv.Requests())
		}
	}
}

func TestPremiumRequired(t *testing.T) {
	c, srv, _ := newClient(t, spotifytest.Options{})
	ctx := context.Background()
	if err := c.CheckCredentials(ctx); err != nil {
		t.Fatalf("before: %v", err)
	}
	srv.RequirePremium(true)
	_, err := c.Track(ctx, "1t2qKa8K72IBC8yQlhD9bU")
	if !errors.Is(err, spotify.ErrPremiumRequired) || errors.Is(err, spotify.ErrForbidden) {
		t.Errorf("track: %v", err)
	}
	// The token endpoint still answers: only a real call tells.
	if err := c.CheckCredentials(ctx); !errors.Is(err, spotify.ErrPremiumRequired) {
		t.Errorf("connection check: %v", err)
	}
	if n := srv.Grants("client_credentials"); n != 1 {
		t.Errorf("%d token requests, want the one cached token", n)
	}
}
