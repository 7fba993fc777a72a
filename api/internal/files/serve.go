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
	row, err := s.get(ctx, caller, id, authz.Read)
	if err != nil {
		return err
	}
	disposition := "attachment"
	if Inline(row.MimeType) && !download {
		disposition = "inline"
	}
	if p, ok := s.backend.(Presigner); ok {
		_, err := s.backend.Stat(ctx, row.RelPath)
		s.record(ctx, row, err)
		if err != nil {
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
	s.record(ctx, row, err)
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
	if n := rangeCount(r.Header.Get("Range")); n > MaxRanges {
		// Many small (or overlapping) ranges make a multipart answer far
		// larger than what was asked for: refused, as RFC 9110 allows.
		h.Set("Content-Range", fmt.Sprintf("bytes */%d", st.Size))
		rw.detail = fmt.Sprintf("A request may ask for at most %d byte ranges; this one asked for %d.", MaxRanges, n)
		rw.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		return nil
	}
	http.ServeContent(rw, r, "", st.ModTime, f)
	return nil
}

// MaxRanges is how many byte ranges one request may ask for.
const MaxRanges = 16

// rangeCount is how many ranges a bytes Range header lists (0 for none or
// another unit, which ServeContent ignores or refuses itself).
func rangeCount(h string) int {
	unit, spec, ok := strings.Cut(h, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return 0
	}
	return strings.Count(spec, ",") + 1
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
	// detail explains the 416 ("" : the range is outside the file).
	detail string
}

func (g *rangeGuard) WriteHeader(code int) {
	if code == http.StatusRequestedRangeNotSatisfiable {
		g.swallow = true
		p := errRange.WithDetail("The requested range is outside the file.")
		if g.detail != "" {
			p = errRange.WithDetail("%s", g.detail)
		}
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

// ErrNoThumbnail: the file has no thumbnail Downlink keeps (a site's own
// is at its thumbnail_url elsewhere).
var ErrNoThumbnail = problem.New(http.StatusNotFound, "No thumbnail").
	WithDetail("Downlink keeps no thumbnail for this file; its thumbnail_url, when set, names the site's own.")

// ServeThumbnail writes the still grabbed from a file's video, with the
// file's own access rules (another user's file is "not found").
func (s *Service) ServeThumbnail(ctx context.Context, w http.ResponseWriter, r *http.Request, caller *authz.Principal, id uuid.UUID) error {
	row, err := s.get(ctx, caller, id, authz.Read)
	if err != nil {
		return err
	}
	if row.ThumbKey == nil {
		return ErrNoThumbnail
	}
	f, err := s.backend.Open(ctx, *row.ThumbKey)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return ErrNoThumbnail
		}
		return err
	}
	defer f.Close()
	st := f.Info()
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "private, max-age=0, must-revalidate")
	h.Set("ETag", fmt.Sprintf(`"%s-t-%x-%x"`, row.ID.String()[:8], st.Size, st.ModTime.UnixNano()))
	h.Set("Content-Disposition", "inline")
	http.ServeContent(w, r, "", st.ModTime, f)
	return nil
}
