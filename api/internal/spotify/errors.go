package spotify

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/problem"
)

// Errors the client returns, wrapped with %w; check them with errors.Is.
// Their titles are safe to show to users; causes (URLs, bodies) stay in the
// wrapped chain for the log.
var (
	// ErrNotFound: the track, album, playlist or artist does not exist (or is
	// not available to this app).
	ErrNotFound = problem.New(http.StatusNotFound, "Spotify item not found")
	// ErrUnauthorized: Spotify rejected the client id/secret (the token
	// request failed), or kept rejecting a fresh token.
	ErrUnauthorized = problem.New(http.StatusBadGateway, "Spotify rejected the client credentials")
	// ErrForbidden: Spotify refuses this app access, e.g. the items of a
	// playlist it does not own in development mode.
	ErrForbidden = problem.New(http.StatusBadGateway, "Spotify refused access to this item")
	// ErrRateLimited is matched by every *RateLimitError.
	ErrRateLimited = problem.New(http.StatusTooManyRequests, "Spotify rate limit reached")
	// ErrUnavailable: Spotify answered 5xx or an unreadable body.
	ErrUnavailable = problem.New(http.StatusBadGateway, "Spotify is not answering properly")
	// ErrInvalidURL: the link is not an open.spotify.com / spotify: link Downlink understands.
	ErrInvalidURL = problem.New(http.StatusUnprocessableEntity, "Not a supported Spotify link")
	// ErrArtistUnsupported: artist links cannot be downloaded (see the package doc).
	ErrArtistUnsupported = problem.New(http.StatusUnprocessableEntity, "Spotify artist links are not supported")
	// ErrCredentialsRequired: the Web API needs a client id and secret (or
	// a connected account); the embed pages work without.
	ErrCredentialsRequired = problem.New(http.StatusUnprocessableEntity, "Spotify API credentials are required")
	// ErrPremiumRequired: since 2026 Spotify serves a Development-Mode app
	// only while the app's owner has Premium; every call answers 403
	// "Active premium subscription required for the owner of the app".
	ErrPremiumRequired = problem.New(http.StatusBadGateway, "The Spotify app's owner needs Premium")
	// ErrEmbedChanged: a public embed page no longer has the shape
	// Downlink reads (props.pageProps.state.data.entity.trackList).
	ErrEmbedChanged = problem.New(http.StatusBadGateway, "Spotify's public page changed shape")
)

// premiumMarker is in the body of the 403 Spotify sends when the app's
// owner has no Premium (a plain-text body of 159 bytes in 2026).
const premiumMarker = "premium subscription required"

// RateLimitError is returned when Spotify kept answering 429 after the
// client's bounded retries, or asked to wait longer than the client may.
type RateLimitError struct {
	// RetryAfter is Spotify's Retry-After (0 when it sent none).
	RetryAfter time.Duration
	// Message is Spotify's own text (JSON error message or plain body).
	Message string
}

// Error implements error.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("spotify: rate limited (retry after %s): %s", e.RetryAfter, e.Message)
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// Problem returns the problem details for the API layer, with Retry-After set.
func (e *RateLimitError) Problem() *problem.Problem {
	p := ErrRateLimited.WithCause(e)
	if s := int(e.RetryAfter.Round(time.Second) / time.Second); s > 0 {
		p = p.WithHeader("Retry-After", strconv.Itoa(s)).WithDetail("Try again in %d seconds.", s)
	}
	return p
}

// APIError carries an unexpected status from Spotify, for the log; it wraps
// the matching sentinel above.
type APIError struct {
	Status  int
	Message string
	URL     string
	kind    error
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("spotify: %s: HTTP %d: %s", e.URL, e.Status, e.Message)
}

// Unwrap returns the sentinel for the status.
func (e *APIError) Unwrap() error { return e.kind }

func statusError(status int, message, url string) error {
	kind := ErrUnavailable
	switch {
	case status == http.StatusNotFound || status == http.StatusBadRequest:
		// Spotify answers 400 "invalid id" for malformed ids.
		kind = ErrNotFound
	case status == http.StatusUnauthorized:
		kind = ErrUnauthorized
	case status == http.StatusForbidden && strings.Contains(strings.ToLower(message), premiumMarker):
		kind = ErrPremiumRequired
	case status == http.StatusForbidden:
		kind = ErrForbidden
	}
	return &APIError{Status: status, Message: message, URL: url, kind: kind}
}

// IsRetryable reports whether err is worth retrying later (rate limits and
// Spotify-side failures), as opposed to a bad link or bad credentials.
func IsRetryable(err error) bool {
	return errors.Is(err, ErrRateLimited) || errors.Is(err, ErrUnavailable)
}
