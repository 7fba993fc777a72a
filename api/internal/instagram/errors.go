package instagram

import (
	"errors"
	"fmt"
	"time"
)

// Errors the client returns, wrapped with %w; check them with errors.Is.
var (
	// ErrNotFound: Instagram has no such post (removed, or never existed).
	ErrNotFound = errors.New("instagram: post not found")
	// ErrPrivate: the post is visible only to signed-in followers of its
	// account.
	ErrPrivate = errors.New("instagram: post is private")
	// ErrLoginWall: Instagram sent a visitor without a session to the login
	// page — its limit for anonymous visitors, reached from this address.
	ErrLoginWall = errors.New("instagram: redirected to the login page (anonymous rate limit)")
	// ErrCookiesExpired: the session in the cookies no longer works (the
	// signed-in API redirected to the login page).
	ErrCookiesExpired = errors.New("instagram: the session cookies are no longer valid")
	// ErrRateLimited is matched by every *RateLimitError.
	ErrRateLimited = errors.New("instagram: rate limited")
	// ErrShapeChanged: Instagram's answer no longer has the shape Downlink
	// reads (items[0], data.xig_polaris_media, carousel_media).
	ErrShapeChanged = errors.New("instagram: the post data changed shape")
	// ErrUnavailable: Instagram answered 5xx, or could not be reached.
	ErrUnavailable = errors.New("instagram: not answering properly")
	// ErrNoMedia: the post has no item Downlink can download.
	ErrNoMedia = errors.New("instagram: the post has no photo or video")
)

// RateLimitError is Instagram's 429 (or its "Please wait a few minutes").
type RateLimitError struct {
	RetryAfter time.Duration
}

// Error implements error.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("instagram: rate limited (retry after %s)", e.RetryAfter)
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// MediaError is a photo or video URL that did not answer with its media.
type MediaError struct {
	// Status is the HTTP status (0 when the request itself failed).
	Status int
	Err    error
}

// Error implements error.
func (e *MediaError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("instagram: media answered HTTP %d", e.Status)
	}
	return fmt.Sprintf("instagram: media: %v", e.Err)
}

// Unwrap returns the cause.
func (e *MediaError) Unwrap() error { return e.Err }
