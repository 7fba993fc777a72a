package spotify_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
)

// sleeps records the waits the client asks for instead of sleeping.
type sleeps struct {
	mu  sync.Mutex
	got []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.got = append(s.got, d)
	s.mu.Unlock()
	return ctx.Err()
}

func newClient(t *testing.T, opts spotifytest.Options) (*spotify.Client, *spotifytest.Server, *sleeps) {
	t.Helper()
	srv := spotifytest.Start(t, opts)
	sl := &sleeps{}
	cfg := srv.Config()
	cfg.Sleep = sl.sleep
	return spotify.New(cfg), srv, sl
}

func TestTrack(t *testing.T) {
	c, srv, _ := newClient(t, spotifytest.Options{})
	ctx := context.Background()
	got, err := c.Track(ctx, "1t2qKa8K72IBC8yQlhD9bU")
	if err != nil {
		t.Fatal(err)
	}
	want := spotify.Track{
		ID: "1t2qKa8K72IBC8yQlhD9bU", Name: "Ropes", Artists: []string{"Dirty Palm", "Chandler Jewels"},
		Album: "Ropes", AlbumArtist: "Dirty Palm", TrackNumber: 1, TrackTotal: 1, DiscNumber: 1,
		ReleaseDate: "2021-10-28", ISRC: "GB2LD2110301", DurationMs: 188000,
		CoverURL: "https://i.scdn.co/image/ab67616d0000b273fe2cb38e4d2412dbb0e54332",
		URL:      "https://open.spotify.com/track/1t2qKa8K72IBC8yQlhD9bU",
	}
	if strings.Join(got.Artists, "|") != strings.Join(want.Artists, "|") {
		t.Errorf("artists = %v", got.Artists)
	}
	got.Artists, want.Artists = nil, nil
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("track =\n%+v\nwant\n%+v", *got, want)
	}
	// The token is cached: a second call asks for none.
	if _, err := c.Track(ctx, "1zHlj4dQ8ZAtrayhuDDmkY"); err != nil {
		t.Fatal(err)
	}
	if n := srv.CountRequests("POST /api/token"); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
}

func TestTokenRenewedAfter401(t *testing.T) {
	c, srv, _ := newClient(t, spotifytest.Options{})
	ctx := context.Background()
	if _, err := c.Track(ctx, "1t2qKa8K72IBC8yQlhD9bU"); err != nil {
		t.Fatal(err)
	}
	srv.ExpireTokens()
	if _, err := c.Track(ctx, "1t2qKa8K72IBC8yQlhD9bU"); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if n := srv.CountRequests("POST /api/token"); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
}

func TestTokenRenewedBeforeExpiry(t *testing.T) {
	srv := spotifytest.Start(t, spotifytest.Options{TokenLifetime: 10 * time.Second})
	now := time.Now()
	var mu sync.Mutex
	cfg := srv.Config()
	cfg.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := spotify.New(cfg)
	ctx := context.Background()
	for _, step := range []time.Duration{0, 4 * time.Second, 2 * time.Second} {
		mu.Lock()
		now = now.Add(step)
		mu.Unlock()
		if _, err := c.Track(ctx, "1t2qKa8K72IBC8yQlhD9bU"); err != nil {
			t.Fatal(err)
		}
	}
	// 10 s tokens with the margin capped at half the life: renewed after 5 s.
	if n := srv.CountRequests("POST /api/token"); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
}

func TestErrors(t *testing.T) {
	srv := spotifytest.Start(t, spotifytest.Options{})
	ctx := context.Background()
	t.Run("bad credentials", func(t *testing.T) {
		cfg := srv.Config()
		cfg.ClientSecret = "wrong"
		_, err := spotify.New(cfg).Track(ctx, "1t2qKa8K72IBC8yQlhD9bU")
		if !errors.Is(err, spotify.ErrUnauthorized) {
			t.Fatalf("err = %v, want ErrUnauthorized", err)
		}
	})
	t.Run("not found", func(t *testing.T) {
		_, err := spotify.New(srv.Config()).Track(ctx, "0000000000000000000000")
		if !errors.Is(err, spotify.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
		var apiErr *spotify.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != 404 || apiErr.Message != "Resource not found" {
			t.Fatalf("APIError = %+v", apiErr)
		}
		if strings.Contains(spotify.ErrNotFound.Title, "http") {
			t.Errorf("title leaks detail: %q", spotify.ErrNotFound.Title)
		}
	})
	t.Run("malformed id", func(t *testing.T) {
		_, err := spotify.New(srv.Config()).Track(ctx, "../../v1/me")
		if !errors.Is(err, spotify.ErrInvalidURL) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("server down", func(t *testing.T) {
		cfg := srv.Config()
		cfg.TokenURL = "http://127.0.0.1:1/api/token"
		_, err := spotify.New(cfg).Track(ctx, "1t2qKa8K72IBC8yQlhD9bU")
		if !errors.Is(err, spotify.ErrUnavailable) || !spotify.IsRetryable(err) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
	})
}

func TestRateLimit(t *testing.T) {
	tests := []struct {
		name       string
		n, after   int
		plain      bool
		maxRetries int
		maxWait    time.Duration
		wantErr    bool
		wantSleeps int
		wantMsg    string
	}{
		{name: "json body, retried", n: 2, after: 2, wantSleeps: 2},
		{name: "plaintext body, retried", n: 1, after: 2, plain: true, wantSleeps: 1},
		{name: "retries exhausted", n: 4, after: 1, maxRetries: 3, wantErr: true, wantSleeps: 3, wantMsg: "API rate limit exceeded"},
		{name: "plaintext exhausted", n: 2, after: 2, plain: true, maxRetries: 1, wantErr: true, wantSleeps: 1, wantMsg: "Too many requests"},
		{name: "wait too long", n: 1, after: 3600, maxWait: time.Minute, wantErr: true, wantSleeps: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := spotifytest.Start(t, spotifytest.Options{})
			sl := &sleeps{}
			cfg := srv.Config()
			cfg.Sleep, cfg.MaxRetries, cfg.MaxRetryWait = sl.sleep, tt.maxRetries, tt.maxWait
			c := spotify.New(cfg)
			srv.RateLimitNext(tt.n, tt.after, tt.plain)
			tr, err := c.Track(context.Background(), "1t2qKa8K72IBC8yQlhD9bU")
			if len(sl.got) != tt.wantSleeps {
				t.Errorf("sleeps = %v, want %d", sl.got, tt.wantSleeps)
			}
			for _, d := range sl.got {
				if d != time.Duration(tt.after)*time.Second {
					t.Errorf("slept %v, want Retry-After %ds", d, tt.after)
				}
			}
			if !tt.wantErr {
				if err != nil || tr.Name != "Ropes" {
					t.Fatalf("Track = %v, %v", tr, err)
				}
				return
			}
			var rl *spotify.RateLimitError
			if !errors.Is(err, spotify.ErrRateLimited) || !errors.As(err, &rl) {
				t.Fatalf("err = %v, want RateLimitError", err)
			}
			if rl.RetryAfter != time.Duration(tt.after)*time.Second || !strings.Contains(rl.Message, tt.wantMsg) {
				t.Errorf("RateLimitError = %+v", rl)
			}
			if p := rl.Problem(); p.Status != 429 || p.Headers["Retry-After"] == "" {
				t.Errorf("problem = %+v", p)
			}
		})
	}
}

func TestRateLimitSleepHonoursContext(t *testing.T) {
	srv := spotifytest.Start(t, spotifytest.Options{})
	c := spotify.New(srv.Config()) // real sleep
	srv.RateLimitNext(1, 30, false)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Track(ctx, "1t2qKa8K72IBC8yQlhD9bU")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("sleep did not stop with the context")
	}
}
