package httpapi_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

// TestPreferencesRememberedPerUser: what a user chose last is kept on the
// server, per user, checked like a download's options; bad input is a 422
// naming the field and changes nothing.
func TestPreferencesRememberedPerUser(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	ada, _ := signIn(t, env, newAccount(t, env, authz.RoleUser))
	bob, _ := signIn(t, env, newAccount(t, env, authz.RoleUser))
	get := func(c *apitest.Client) map[string]any {
		t.Helper()
		var p map[string]any
		c.Get("/api/v1/auth/me/preferences").Expect(http.StatusOK).JSON(&p)
		return p
	}
	nothing := map[string]any{"download": map[string]any{"preset": nil, "audio_format": nil, "subtitles": nil}}
	if got := get(ada); !reflect.DeepEqual(got, nothing) {
		t.Fatalf("a new user's preferences %v, want %v", got, nothing)
	}

	audio := map[string]any{"download": map[string]any{"preset": "audio", "audio_format": "mp3", "subtitles": nil}}
	ada.Do(http.MethodPut, "/api/v1/auth/me/preferences", audio).Expect(http.StatusOK)
	if got := get(ada); !reflect.DeepEqual(got, audio) {
		t.Fatalf("after PUT: %v, want %v", got, audio)
	}
	// A fresh browser of the same user starts from them; another user does not.
	if got := get(bob); !reflect.DeepEqual(got, nothing) {
		t.Fatalf("another user's preferences changed: %v", got)
	}

	bad := []struct {
		name  string
		body  any
		field string
	}{
		{"unknown preset", map[string]any{"download": map[string]any{"preset": "8k", "audio_format": nil, "subtitles": nil}}, "download.preset"},
		{"audio format for video", map[string]any{"download": map[string]any{"preset": "1080p", "audio_format": "mp3", "subtitles": nil}}, "download.audio_format"},
		{"subtitles embedded in audio", map[string]any{"download": map[string]any{"preset": "audio", "audio_format": nil,
			"subtitles": map[string]any{"languages": []string{"en"}, "auto": false, "embed": true}}}, "download.subtitles.embed"},
		{"bad language", map[string]any{"download": map[string]any{"preset": nil, "audio_format": nil,
			"subtitles": map[string]any{"languages": []string{"english please"}, "auto": false, "embed": false}}}, "download.subtitles.languages[0]"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			p := expectProblem(t, ada.Do(http.MethodPut, "/api/v1/auth/me/preferences", tt.body), http.StatusUnprocessableEntity)
			errs, _ := p["errors"].([]any)
			found := false
			for _, e := range errs {
				found = found || e.(map[string]any)["field"] == tt.field
			}
			if !found {
				t.Errorf("errors %v do not name %s", p["errors"], tt.field)
			}
			if got := get(ada); !reflect.DeepEqual(got, audio) {
				t.Errorf("a refused PUT changed them: %v", got)
			}
		})
	}
	expectProblem(t, env.Client().Get("/api/v1/auth/me/preferences"), http.StatusUnauthorized)
}
