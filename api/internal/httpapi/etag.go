package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/problem"
)

// errPreconditionFailed refuses an update made against an older version of
// the resource than the one stored.
var errPreconditionFailed = problem.New(http.StatusPreconditionFailed, "Precondition failed").
	WithDetail("The resource changed since the version If-Match names; fetch it again and reapply your change.")

// etagOf is the strong validator of a JSON representation: a hash of its
// bytes as encoded (before any content coding).
func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// etagMatches reports whether an If-Match / If-None-Match header names tag
// ("*" names any). weak is If-None-Match's weak comparison, which ignores
// W/; If-Match compares strongly, so a weak tag never matches.
func etagMatches(header, tag string, weak bool) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		if strings.HasPrefix(t, "W/") {
			if !weak {
				continue
			}
			t = t[2:]
		}
		if t == tag {
			return true
		}
	}
	return false
}

// jsonWithETag answers v as JSON with its ETag; on a GET (or HEAD) whose
// If-None-Match names that ETag, the answer is 304 without a body.
func jsonWithETag(c echo.Context, status int, v any) error {
	b, err := encodeJSON(v)
	if err != nil {
		return err
	}
	tag := etagOf(b)
	c.Response().Header().Set("ETag", tag)
	m := c.Request().Method
	if (m == http.MethodGet || m == http.MethodHead) && etagMatches(c.Request().Header.Get("If-None-Match"), tag, true) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(status, echo.MIMEApplicationJSON, b)
}

// checkIfMatch refuses an update (412) whose If-Match does not name the
// ETag of current, the resource as GET shows it now. Without If-Match the
// update goes ahead.
func checkIfMatch(c echo.Context, current any) error {
	im := c.Request().Header.Get("If-Match")
	if im == "" {
		return nil
	}
	b, err := encodeJSON(current)
	if err != nil {
		return err
	}
	if !etagMatches(im, etagOf(b), false) {
		return errPreconditionFailed
	}
	return nil
}
