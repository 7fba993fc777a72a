package files

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

var errRange = problem.New(http.StatusRequestedRangeNotSatisfiable, "Range not satisfiable")

// Serve writes a file's bytes: http.ServeContent for Range, If-Range and
// ETag, with Downlink's own Content-Type (never sniffed), audio/video/images
// inline for the player unless download is set, everything else as an
// attachment, nosniff and a sandbox CSP so nothing served can run script in
// this origin. On S3 the bytes stream from ranged GETs, or the client is
// redirected to a presigned URL (another origin) when that is configured.
func (s *Service) Serve(ctx context.Context, w http.ResponseWriter, r *http.Request, caller *authz.Principal, id uuid.UUID, download bool) error {
	row, err := s.get(ctx, caller, id)
	if err != nil {
		return err
	}
	disposition := "attachment"
	if Inline(row.MimeType) && !download {
		disposition = "inline"
	}
	if p, ok := s.backend.(Presigner); ok {
		if _, err := s.backend.Stat(ctx, row.RelPath); err != nil {
			return s.missing(row, err)
		}
		u, ok, err := p.PresignGet(ctx, row.RelPath, row.MimeType, ContentDisposition(disposition, row.Name))
		if err != nil {
			return err
		}
		if ok {
			w.Header().Set("Cache-Control", "private, no-store")
			w.Header().Set("Referrer-Policy", "no-referrer")
			http.Redirect(w, r, u, http.StatusFound)
			return nil
		}
	}
	f, err := s.backend.Open(ctx, row.RelPath)
	if err != nil {
		return s.missing(row, err)
	}
	defer f.Close()
	st := f.Info()
	h := w.Header()
	h.Set("Content-Type", row.MimeType)
	h.Set("X-Content-Type-Options", "nosniff")
	// Exactly "sandbox", as the contract says: the file runs in an opaque
	// origin with no script, forms or plugins.
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "private, max-age=0, must-revalidate")
	h.Set("ETag", fmt.Sprintf(`"%s-%x-%x"`, row.ID.String()[:8], st.Size, st.ModTime.UnixNano()))
	h.Set("Content-Disposition", ContentDisposition(disposition, row.Name))
	rw := &rangeGuard{ResponseWriter: w, r: r}
	http.ServeContent(rw, r, "", st.ModTime, f)
	return nil
}

// missing turns a failed open into the contract's 404 when the data is
// gone, and anything else (storage unreachable) into a 500.
func (s *Service) missing(row Row, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		s.log.Warn("file data missing", "file_id", row.ID, "err", err)
		return ErrMissingData
	}
	return fmt.Errorf("open file %s: %w", row.ID, err)
}

// ContentDisposition builds an RFC 6266 header: an ASCII fallback name and
// the exact UTF-8 name in filename*.
func ContentDisposition(kind, name string) string {
	var ascii strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '%' || r == ';':
			ascii.WriteByte('_')
		case r < 0x80:
			ascii.WriteRune(r)
		default:
			ascii.WriteByte('_')
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, kind, ascii.String(), encodeRFC5987(name))
}

func encodeRFC5987(s string) string {
	const keep = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// rangeGuard turns ServeContent's plain-text 416 into a problem body.
type rangeGuard struct {
	http.ResponseWriter
	r       *http.Request
	swallow bool
}

func (g *rangeGuard) WriteHeader(code int) {
	if code == http.StatusRequestedRangeNotSatisfiable {
		g.swallow = true
		p := errRange.WithDetail("The requested range is outside the file.")
		p.Instance = g.r.URL.Path
		h := g.ResponseWriter.Header()
		h.Set("Content-Type", problem.ContentType)
		h.Del("Content-Disposition")
		h.Del("X-Content-Type-Options")
		h.Set("X-Content-Type-Options", "nosniff")
		g.ResponseWriter.WriteHeader(code)
		b, _ := json.Marshal(p.Body())
		_, _ = g.ResponseWriter.Write(b)
		return
	}
	g.ResponseWriter.WriteHeader(code)
}

func (g *rangeGuard) Write(b []byte) (int, error) {
	if g.swallow {
		return len(b), nil
	}
	return g.ResponseWriter.Write(b)
}
