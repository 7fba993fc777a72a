package spotify

import (
	"errors"
	"testing"
)

func TestParseURL(t *testing.T) {
	const id = "1t2qKa8K72IBC8yQlhD9bU"
	tests := []struct {
		in   string
		kind Kind
		err  bool
	}{
		{"https://open.spotify.com/track/" + id, KindTrack, false},
		{"https://open.spotify.com/track/" + id + "?si=abc123", KindTrack, false},
		{"https://open.spotify.com/intl-de/track/" + id, KindTrack, false},
		{"https://open.spotify.com/embed/album/" + id, KindAlbum, false},
		{"https://open.spotify.com/user/someone/playlist/" + id, KindPlaylist, false},
		{"https://open.spotify.com/artist/" + id, KindArtist, false},
		{"spotify:playlist:" + id, KindPlaylist, false},
		{"spotify:user:someone:playlist:" + id, KindPlaylist, false},
		{" spotify:track:" + id + " ", KindTrack, false},
		{"https://open.spotify.com/show/" + id, "", true},
		{"https://open.spotify.com/track/short", "", true},
		{"https://evil.example/track/" + id, "", true},
		{"ftp://open.spotify.com/track/" + id, "", true},
		{"https://spotify.link/abc", "", true},
		// One parser for the whole server (platforms.Detect): a trailing
		// path segment does not change what the link names.
		{"https://open.spotify.com/track/" + id + "/extra", KindTrack, false},
		{"", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			kind, got, err := ParseURL(tt.in)
			if tt.err {
				if !errors.Is(err, ErrInvalidURL) {
					t.Fatalf("err = %v, want ErrInvalidURL", err)
				}
				return
			}
			if err != nil || kind != tt.kind || got != id {
				t.Fatalf("ParseURL = %q, %q, %v; want %q, %q", kind, got, err, tt.kind, id)
			}
		})
	}
}
