package files

import (
	"mime"
	"strings"
	"testing"
)

// TestTypeOfAndInline pins how each kind of file is typed and whether the
// browser may show it in the page: only audio, video and raster images.
func TestTypeOfAndInline(t *testing.T) {
	tests := []struct {
		name, mime, kind string
		inline           bool
	}{
		{"a.mp4", "video/mp4", KindVideo, true},
		{"a.MKV", "video/x-matroska", KindVideo, true},
		{"a.webm", "video/webm", KindVideo, true},
		{"a.mp3", "audio/mpeg", KindAudio, true},
		{"a.opus", "audio/ogg", KindAudio, true},
		{"a.flac", "audio/flac", KindAudio, true},
		{"a.jpg", "image/jpeg", KindImage, true},
		{"a.webp", "image/webp", KindImage, true},
		{"a.svg", "image/svg+xml", KindOther, false},
		{"a.vtt", "text/vtt", KindSubtitle, false},
		{"a.srt", "application/x-subrip", KindSubtitle, false},
		{"a.html", "text/html", KindOther, false},
		{"a.htm", "text/html", KindOther, false},
		{"a.xhtml", "", KindOther, false},
		{"a.js", "", KindOther, false},
		{"a.json", "application/json", KindOther, false},
		{"a.pdf", "application/pdf", KindOther, false},
		{"noext", "application/octet-stream", KindOther, false},
		{"a.", "application/octet-stream", KindOther, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mt, kind := TypeOf(tc.name)
			if tc.mime != "" && mt != tc.mime {
				t.Errorf("type %q, want %q", mt, tc.mime)
			}
			if strings.Contains(mt, ";") || mt == "" {
				t.Errorf("type %q has parameters or is empty", mt)
			}
			if _, _, err := mime.ParseMediaType(mt); err != nil {
				t.Errorf("type %q does not parse: %v", mt, err)
			}
			if kind != tc.kind {
				t.Errorf("kind %q, want %q", kind, tc.kind)
			}
			if got := Inline(mt); got != tc.inline {
				t.Errorf("Inline(%q) = %v, want %v", mt, got, tc.inline)
			}
		})
	}
}

// TestContentDisposition checks RFC 6266 headers for hostile names: the
// header stays one line, quotes cannot end the filename early, and the
// exact name survives in filename*.
func TestContentDisposition(t *testing.T) {
	tests := []string{
		"plain.mp4",
		"Never Gonna Give You Up [dQw4w9WgXcQ].mp4",
		`quote".mp4`,
		`back\slash.mp4`,
		"semi;colon.mp4",
		"percent%20.mp4",
		"new\r\nline: injected.mp4",
		"ümlaut é 名前 🎵.mp3",
		"\x00nul\x7f.mp4",
	}
	for _, name := range tests {
		t.Run(name, func(t *testing.T) {
			for _, kind := range []string{"inline", "attachment"} {
				h := ContentDisposition(kind, name)
				if strings.ContainsAny(h, "\r\n\x00\x7f") {
					t.Fatalf("header %q holds control characters", h)
				}
				for _, r := range h {
					if r > 0x7e {
						t.Fatalf("header %q is not ASCII", h)
					}
				}
				disp, params, err := mime.ParseMediaType(h)
				if err != nil {
					t.Fatalf("header %q does not parse: %v", h, err)
				}
				if disp != kind {
					t.Errorf("disposition %q", disp)
				}
				// Go's parser prefers filename* and decodes it.
				if params["filename"] != name {
					t.Errorf("filename* decodes to %q, want %q", params["filename"], name)
				}
				fallback := h[strings.Index(h, `filename="`)+len(`filename="`):]
				fallback = fallback[:strings.Index(fallback, `"`)]
				if strings.ContainsAny(fallback, `"\;%`) {
					t.Errorf("ASCII fallback %q keeps a special character", fallback)
				}
			}
		})
	}
}
