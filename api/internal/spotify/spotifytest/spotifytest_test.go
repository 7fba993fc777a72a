package spotifytest_test

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
)

// The recorded responses are part of the package (a fresh clone has them),
// each file with its source and license noted.
func TestRecordedFixtures(t *testing.T) {
	if got := string(spotifytest.ReadRecorded(t, "spotify/errors/429_plaintext.txt")); got != "Too many requests" {
		t.Errorf("429_plaintext.txt = %q", got)
	}
	note := string(spotifytest.ReadRecorded(t, "SOURCE.md"))
	err := fs.WalkDir(spotifytest.Recorded(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "SOURCE.md" {
			return err
		}
		if !strings.Contains(note, "`"+p+"`") {
			t.Errorf("SOURCE.md does not say where %s came from", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestID(t *testing.T) {
	valid := regexp.MustCompile(`^[0-9A-Za-z]{22}$`)
	seen := map[string]bool{}
	for _, seed := range []string{"a", "b", "album-1", "album-10", "a very long seed that differs only at the end 1", "a very long seed that differs only at the end 2"} {
		id := spotifytest.ID(seed)
		if !valid.MatchString(id) || seen[id] || spotifytest.ID(seed) != id {
			t.Errorf("ID(%q) = %q", seed, id)
		}
		seen[id] = true
	}
}

func TestTokenEndpoint(t *testing.T) {
	srv := spotifytest.Start(t, spotifytest.Options{NoFixtures: true})
	tests := []struct {
		name       string
		user, pass string
		body       string
		status     int
	}{
		{"valid", "test-client-id", "test-client-secret", "grant_type=client_credentials", 200},
		{"wrong secret", "test-client-id", "nope", "grant_type=client_credentials", 400},
		{"wrong grant", "test-client-id", "test-client-secret", "grant_type=password", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/token", stringsReader(tt.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(tt.user, tt.pass)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var tok struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
				ExpiresIn   int    `json:"expires_in"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&tok)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == 200 && (tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600) {
				t.Errorf("token = %+v", tok)
			}
		})
	}
	resp, err := http.Get(srv.URL + "/v1/tracks/1t2qKa8K72IBC8yQlhD9bU")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unauthenticated API call: %d", resp.StatusCode)
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
