package files

import (
	"mime"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameBytes keeps names well inside common file-system limits (255).
const maxNameBytes = 180

// SanitizeName turns a title into a safe file name stem: no path
// separators, control or reserved characters, no leading dots or dashes,
// no trailing dots or spaces, bounded length, valid UTF-8, never empty.
func SanitizeName(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "_")
	}
	var b strings.Builder
	lastSpace := false
	for _, r := range s {
		switch {
		case r == '/' || r == '\\' || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|':
			r = '_'
		case unicode.IsControl(r) || r == 0x7f || r == '\u202e' || r == '\u202d' || unicode.Is(unicode.Cf, r):
			continue
		case unicode.IsSpace(r):
			r = ' '
		}
		if r == ' ' {
			if lastSpace {
				continue
			}
			lastSpace = true
		} else {
			lastSpace = false
		}
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	out = strings.TrimLeft(out, ".-_ ")
	for len(out) > maxNameBytes {
		_, size := utf8.DecodeLastRuneInString(out)
		out = out[:len(out)-size]
	}
	out = strings.TrimRight(out, ". ")
	if out == "" {
		out = "download"
	}
	switch strings.ToUpper(out) {
	case "CON", "PRN", "AUX", "NUL", "COM1", "LPT1":
		out = "_" + out
	}
	return out
}

// SanitizeExt keeps an extension of letters and digits, with up to two
// parts before it that tell several files of one download apart: a
// carousel index (".001.jpg"), a subtitle language (".pt-br.vtt").
func SanitizeExt(ext string) string {
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	parts := strings.Split(ext, ".")
	if len(ext) == 0 || len(parts) > 3 {
		return ""
	}
	for i, p := range parts {
		if len(p) == 0 || len(p) > 10 {
			return ""
		}
		for _, r := range p {
			// A language tag before the real extension may hold "-" (pt-br).
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' && i < len(parts)-1) {
				return ""
			}
		}
	}
	return "." + ext
}

var mimeByExt = map[string]string{
	".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".mkv": "video/x-matroska",
	".mov": "video/quicktime", ".avi": "video/x-msvideo", ".ts": "video/mp2t", ".flv": "video/x-flv",
	".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".aac": "audio/aac", ".opus": "audio/ogg", ".ogg": "audio/ogg",
	".oga": "audio/ogg", ".flac": "audio/flac", ".wav": "audio/wav", ".weba": "audio/webm",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".gif": "image/gif",
	".vtt": "text/vtt", ".srt": "application/x-subrip", ".ass": "text/x-ssa", ".lrc": "text/plain",
	".json": "application/json", ".txt": "text/plain",
}

// TypeOf returns Downlink's own MIME type and kind for a file name. It
// never sniffs content: what a file claims to be does not decide how it is
// served.
func TypeOf(name string) (mimeType, kind string) {
	ext := strings.ToLower(filepath.Ext(name))
	mt, ok := mimeByExt[ext]
	if !ok {
		mt = mime.TypeByExtension(ext)
		if mt == "" {
			mt = "application/octet-stream"
		}
		if i := strings.IndexByte(mt, ';'); i >= 0 {
			mt = mt[:i]
		}
	}
	switch {
	case strings.HasPrefix(mt, "video/"):
		kind = KindVideo
	case strings.HasPrefix(mt, "audio/"):
		kind = KindAudio
	case strings.HasPrefix(mt, "image/") && mt != "image/svg+xml":
		kind = KindImage
	case ext == ".vtt" || ext == ".srt" || ext == ".ass" || ext == ".lrc":
		kind = KindSubtitle
	default:
		kind = KindOther
	}
	return mt, kind
}

// Inline reports whether a type is shown in the page (audio, video and
// raster images); everything else is downloaded as an attachment.
func Inline(mimeType string) bool {
	if mimeType == "image/svg+xml" {
		return false
	}
	return strings.HasPrefix(mimeType, "video/") || strings.HasPrefix(mimeType, "audio/") || strings.HasPrefix(mimeType, "image/")
}
