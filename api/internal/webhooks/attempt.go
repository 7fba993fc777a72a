package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/downlink/downlink/api/internal/clip"
	"github.com/downlink/downlink/api/internal/netguard"
)

// Bounds on what is read and kept of a receiver's answer.
const (
	maxResponseRead = 64 << 10 // read at most this much of a body
	excerptLength   = 200      // keep at most this much in the error text
	maxErrorLength  = 500
)

// attemptResult is what one POST did.
type attemptResult struct {
	status   int // the receiver's HTTP status; 0 when there was no answer
	duration time.Duration
	errText  string // why it failed, safe to show admins; "" on success
	blocked  bool   // refused by the SSRF guard
}

func (r attemptResult) succeeded() bool { return r.status >= 200 && r.status < 300 }

// attempt POSTs body to rawURL, signed as Standard Webhooks has it.
func (s *Service) attempt(ctx context.Context, rawURL string, key []byte, msgID string, body []byte) attemptResult {
	ctx, cancel := context.WithTimeout(s.withPolicy(ctx), s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return attemptResult{errText: "the webhook URL cannot be requested"}
	}
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("webhook-id", msgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sign(key, msgID, ts, body))

	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		var be *netguard.BlockedError
		return attemptResult{duration: time.Since(start), errText: s.describe(ctx, err), blocked: errors.As(err, &be)}
	}
	excerpt := readExcerpt(resp.Body)
	_ = resp.Body.Close()
	res := attemptResult{status: resp.StatusCode, duration: time.Since(start)}
	if !res.succeeded() {
		res.errText = fmt.Sprintf("receiver answered %d", resp.StatusCode)
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			res.errText += " (redirects are not followed)"
		}
		if excerpt != "" {
			res.errText += ": " + excerpt
		}
	}
	return res
}

// describe says why a request failed without repeating the URL (which may
// carry a token in its path or query).
func (s *Service) describe(ctx context.Context, err error) string {
	var be *netguard.BlockedError
	switch {
	case errors.As(err, &be):
		return be.Error()
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("timed out after %s", s.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return clip.String(err.Error(), maxErrorLength)
}

// readExcerpt drains at most maxResponseRead bytes of a body and returns
// the start of it as one printable line.
func readExcerpt(r io.Reader) string {
	buf := make([]byte, excerptLength)
	n, _ := io.ReadFull(io.LimitReader(r, excerptLength), buf)
	_, _ = io.Copy(io.Discard, io.LimitReader(r, maxResponseRead-int64(n)))
	return printable(buf[:n])
}

// printable keeps valid UTF-8 and turns control characters into spaces.
func printable(b []byte) string {
	s := strings.ToValidUTF8(string(b), "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
