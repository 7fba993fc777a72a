// Package instagram reads an Instagram post's items (photos and videos,
// carousels whole) from Instagram's web API and fetches its photos, the
// way yt-dlp's and gallery-dl's extractors read the same data:
//
//   - with a signed-in session (a sessionid cookie):
//     GET /api/v1/media/{pk}/info/ → items[0];
//   - without: the home page's LSD token, then the logged-out GraphQL query
//     POST /api/graphql (PolarisLoggedOutDesktopWWWPostRootContentQuery) →
//     data.xig_polaris_media.if_not_gated_logged_out; when that is empty,
//     the post page tells a login wall (the anonymous rate limit) from a
//     post that is gone.
//
// Both answer the same media object: media_type 1 (photo), 2 (video) or 8
// (carousel, its items in carousel_media), photos in
// image_versions2.candidates, videos in video_versions. Every request goes
// through the HTTP client the caller hands in (the egress proxy), paced by
// the platform's pause between requests; media downloads keep to its rate
// limit.
package instagram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/downlink/downlink/api/internal/clip"
	"github.com/downlink/downlink/api/internal/netguard"
)

// DefaultBaseURL is Instagram's web origin.
const DefaultBaseURL = "https://www.instagram.com"

// The web client's identity, as Instagram's own page sends it (yt-dlp's
// _api_headers).
const (
	webAppID   = "936619743392459"
	asbdID     = "359341"
	userAgent  = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"
	postDocID  = "27130156389949648"
	postQuery  = "PolarisLoggedOutDesktopWWWPostRootContentQuery"
	maxAPIBody = 8 << 20
)

// Config configures a Client. Zero values take the defaults.
type Config struct {
	// BaseURL replaces https://www.instagram.com (tests point it at
	// instagramtest). Cookies go to its host.
	BaseURL string
	// HTTPClient carries every request: the caller's client through the
	// egress proxy. Its redirects are followed for media only.
	HTTPClient *http.Client
	// Cookies are the platform's cookies for instagram.com; a sessionid
	// among them selects the signed-in API.
	Cookies []*http.Cookie
	// SleepRequests pauses between requests (the platform's setting).
	SleepRequests time.Duration
	// RateLimit caps media downloads in bytes per second (0: none).
	RateLimit int64
	// Sleep waits; nil sleeps for real (tests shorten it).
	Sleep  func(ctx context.Context, d time.Duration) error
	Logger *slog.Logger
}

// Client reads posts and fetches media. One Client serves one download;
// it is safe for concurrent use.
type Client struct {
	base  *url.URL
	http  *http.Client
	api   *http.Client // http without following redirects
	sleep func(ctx context.Context, d time.Duration) error
	pause time.Duration
	rate  int64
	log   *slog.Logger

	mu      sync.Mutex
	cookies map[string]string // name → value, for the base host
	last    time.Time
}

// New returns a client.
func New(cfg Config) (*Client, error) {
	raw := cfg.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("instagram: base URL %q: want an absolute http(s) URL", raw)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	api := *hc
	api.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &Client{base: base, http: hc, api: &api, sleep: cfg.Sleep, pause: cfg.SleepRequests, rate: cfg.RateLimit,
		log: cfg.Logger, cookies: map[string]string{}}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	for _, ck := range cfg.Cookies {
		c.cookies[ck.Name] = ck.Value
	}
	return c, nil
}

// LoggedIn reports whether the cookies hold a session.
func (c *Client) LoggedIn() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cookies["sessionid"] != ""
}

// PostURL is a shortcode's post page on Instagram.
func PostURL(shortcode string) string { return DefaultBaseURL + "/p/" + shortcode + "/" }

// Post reads a post's items.
func (c *Client) Post(ctx context.Context, shortcode string) (*Post, error) {
	pk, err := MediaID(shortcode)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var m *wireMedia
	if c.LoggedIn() {
		m, err = c.signedIn(ctx, pk)
	} else {
		m, err = c.loggedOut(ctx, shortcode, pk)
	}
	if err != nil {
		return nil, err
	}
	p, err := parseMedia(m, shortcode)
	if err != nil {
		return nil, err
	}
	if len(p.Items) == 0 {
		return nil, ErrNoMedia
	}
	return p, nil
}

// signedIn reads GET /api/v1/media/{pk}/info/ with the session.
func (c *Client) signedIn(ctx context.Context, pk string) (*wireMedia, error) {
	resp, body, err := c.do(ctx, http.MethodGet, "/api/v1/media/"+pk+"/info/", nil, nil)
	if err != nil {
		return nil, err
	}
	if c.isLoginRedirect(resp) {
		return nil, ErrCookiesExpired
	}
	if err := apiStatus(resp, body); err != nil {
		return nil, err
	}
	var w struct {
		Items []*wireMedia `json:"items"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: media info is not JSON: %w", ErrShapeChanged, err)
	}
	if len(w.Items) == 0 {
		return nil, ErrNotFound
	}
	return w.Items[0], nil
}

var (
	lsdPattern  = regexp.MustCompile(`\["LSD",\[\],\{"token":"([^"]+)"`)
	eqmcPattern = regexp.MustCompile(`(?s)<script\b[^>]*\bid="__eqmc"[^>]*>(.*?)</script>`)
)

// loggedOut reads the post as a visitor without a session: the LSD token
// from the home page, then the GraphQL query yt-dlp sends.
func (c *Client) loggedOut(ctx context.Context, shortcode, pk string) (*wireMedia, error) {
	resp, body, err := c.do(ctx, http.MethodGet, "/", nil, http.Header{"Accept": {"text/html"}})
	if err != nil {
		return nil, err
	}
	if err := apiStatus(resp, body); err != nil {
		return nil, err
	}
	lsd := ""
	if m := eqmcPattern.FindSubmatch(body); m != nil {
		var eqmc struct {
			L string `json:"l"`
		}
		if json.Unmarshal(m[1], &eqmc) == nil {
			lsd = eqmc.L
		}
	}
	if m := lsdPattern.FindSubmatch(body); lsd == "" && m != nil {
		lsd = string(m[1])
	}
	if lsd == "" {
		return nil, fmt.Errorf("%w: no LSD token on the home page", ErrShapeChanged)
	}
	vars, _ := json.Marshal(map[string]string{"media_id": pk})
	form := url.Values{"lsd": {lsd}, "fb_api_caller_class": {"RelayModern"}, "fb_api_req_friendly_name": {postQuery},
		"server_timestamps": {"true"}, "variables": {string(vars)}, "doc_id": {postDocID}}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-FB-Friendly-Name": {postQuery},
		"X-FB-LSD": {lsd}, "X-Requested-With": {"XMLHttpRequest"}, "Referer": {PostURL(shortcode)}}
	resp, body, err = c.do(ctx, http.MethodPost, "/api/graphql", strings.NewReader(form.Encode()), h)
	if err != nil {
		return nil, err
	}
	if c.isLoginRedirect(resp) {
		return nil, ErrLoginWall
	}
	if err := apiStatus(resp, body); err != nil {
		return nil, err
	}
	var w struct {
		Data *struct {
			Media *struct {
				Product *wireMedia `json:"if_not_gated_logged_out"`
			} `json:"xig_polaris_media"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: the GraphQL answer is not JSON: %w", ErrShapeChanged, err)
	}
	if w.Data == nil {
		return nil, fmt.Errorf("%w: the GraphQL answer has no data", ErrShapeChanged)
	}
	if w.Data.Media != nil && w.Data.Media.Product != nil {
		return w.Data.Media.Product, nil
	}
	if len(shortcode) > 28 {
		return nil, ErrPrivate // a private post's long shortcode
	}
	// No data for a visitor: the post page says whether it is the
	// anonymous limit (a redirect to the login page) or a missing post.
	resp, body, err = c.do(ctx, http.MethodGet, "/p/"+shortcode+"/", nil, http.Header{"Accept": {"text/html"}})
	if err != nil {
		return nil, err
	}
	switch {
	case c.isLoginRedirect(resp):
		return nil, ErrLoginWall
	case resp.StatusCode == http.StatusNotFound:
		return nil, ErrNotFound
	}
	if err := apiStatus(resp, body); err != nil {
		return nil, err
	}
	return nil, ErrPrivate
}

// do sends one request to the base host with the web client's headers
// and the session's cookies, paced, without following redirects.
func (c *Client) do(ctx context.Context, method, path string, body io.Reader, h http.Header) (*http.Response, []byte, error) {
	if err := c.wait(ctx); err != nil {
		return nil, nil, err
	}
	u := *c.base
	u.Path = strings.TrimRight(c.base.Path, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, nil, fmt.Errorf("instagram: %w", err)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "*/*")
	req.Header.Set("X-IG-App-ID", webAppID)
	req.Header.Set("X-ASBD-ID", asbdID)
	req.Header.Set("X-IG-WWW-Claim", "0")
	req.Header.Set("Origin", DefaultBaseURL)
	for k, v := range h {
		req.Header[k] = v
	}
	c.mu.Lock()
	for name, value := range c.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	if tok := c.cookies["csrftoken"]; tok != "" {
		req.Header.Set("X-CSRFToken", tok)
	}
	c.mu.Unlock()
	resp, err := c.api.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if be := blockedConnect(err); be != nil {
			return nil, nil, be
		}
		return nil, nil, fmt.Errorf("instagram: %s %s: %w: %w", method, path, ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if r := resp.Header.Get(netguard.BlockedHeader); r != "" {
		return nil, nil, &netguard.BlockedError{Reason: netguard.Reason(r)}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIBody))
	if err != nil {
		return nil, nil, fmt.Errorf("instagram: %s %s: %w: %w", method, path, ErrUnavailable, err)
	}
	c.mu.Lock()
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			continue // Instagram clears cookies it dislikes; keep ours
		}
		c.cookies[ck.Name] = ck.Value
	}
	c.mu.Unlock()
	return resp, data, nil
}

// isLoginRedirect: Instagram answers a visitor it will not serve with a
// redirect to /accounts/login/ (or the home page).
func (c *Client) isLoginRedirect(resp *http.Response) bool {
	if resp.StatusCode < 300 || resp.StatusCode >= 400 {
		return false
	}
	loc, err := resp.Location()
	if err != nil {
		return false
	}
	return strings.HasPrefix(loc.Path, "/accounts/login") || strings.HasPrefix(loc.Path, "/challenge") || loc.Path == "/" || loc.Path == ""
}

// apiStatus maps an API answer's status to an error (nil for 200).
func apiStatus(resp *http.Response, body []byte) error {
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests:
		return &RateLimitError{RetryAfter: retryAfter(resp.Header)}
	case resp.StatusCode == http.StatusNotFound:
		return ErrNotFound
	case resp.StatusCode >= 500:
		return fmt.Errorf("instagram: HTTP %d: %w", resp.StatusCode, ErrUnavailable)
	}
	var msg struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &msg)
	m := strings.ToLower(msg.Message)
	switch {
	case strings.Contains(m, "not authorized") || strings.Contains(m, "private"):
		return ErrPrivate
	case strings.Contains(m, "not found") || strings.Contains(m, "unavailable") || strings.Contains(m, "invalid media"):
		return ErrNotFound
	case strings.Contains(m, "wait a few minutes"):
		return &RateLimitError{}
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return ErrPrivate
	}
	return fmt.Errorf("instagram: HTTP %d %q: %w", resp.StatusCode, clip.Body(body), ErrUnavailable)
}

// mediaHosts are where Instagram serves photos and videos.
var mediaHosts = []string{".cdninstagram.com", ".fbcdn.net"}

// ErrForeignMedia: a media address is not on Instagram's media servers.
var ErrForeignMedia = errors.New("instagram: media address is not on Instagram's media servers")

// CheckMediaURL refuses a media address Instagram would not give: while
// the client reads the real Instagram, photos and videos must be https on
// its CDN hosts (*.cdninstagram.com, *.fbcdn.net). Pointed at another base
// (a stand-in), any http(s) address passes; the egress proxy checks every
// address either way.
func (c *Client) CheckMediaURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ErrForeignMedia
	}
	if c.base.String() != DefaultBaseURL {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	for _, h := range mediaHosts {
		if u.Scheme == "https" && strings.HasSuffix(host, h) {
			return nil
		}
	}
	return ErrForeignMedia
}

// Fetch downloads one media URL into w (following redirects, paced and
// kept to the rate limit), reporting progress as it goes; it returns the
// media's Content-Type.
func (c *Client) Fetch(ctx context.Context, rawURL string, w io.Writer, progress func(done, total int64)) (string, error) {
	if err := c.CheckMediaURL(rawURL); err != nil {
		return "", err
	}
	if err := c.wait(ctx); err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", &MediaError{Err: err}
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Referer", DefaultBaseURL+"/")
	req.Header.Set("Accept", "image/avif,image/webp,image/*,video/*,*/*;q=0.8")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if be := blockedConnect(err); be != nil {
			return "", be
		}
		return "", &MediaError{Err: err}
	}
	defer resp.Body.Close()
	if r := resp.Header.Get(netguard.BlockedHeader); r != "" {
		return "", &netguard.BlockedError{Reason: netguard.Reason(r)}
	}
	if resp.StatusCode != http.StatusOK {
		if resp.StatusCode == http.StatusTooManyRequests {
			return "", &RateLimitError{RetryAfter: retryAfter(resp.Header)}
		}
		return "", &MediaError{Status: resp.StatusCode}
	}
	total := max(resp.ContentLength, 0)
	var done int64
	start := time.Now()
	buf := make([]byte, 64<<10)
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return "", err
			}
			done += int64(n)
			if progress != nil {
				progress(done, total)
			}
			if err := c.throttle(ctx, start, done); err != nil {
				return "", err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", &MediaError{Err: rerr}
		}
	}
	if total > 0 && done != total {
		return "", &MediaError{Err: fmt.Errorf("got %d of %d bytes", done, total)}
	}
	return resp.Header.Get("Content-Type"), nil
}

// throttle sleeps while the bytes so far came faster than the rate limit.
func (c *Client) throttle(ctx context.Context, start time.Time, done int64) error {
	if c.rate <= 0 {
		return nil
	}
	want := time.Duration(float64(done) / float64(c.rate) * float64(time.Second))
	if ahead := want - time.Since(start); ahead > 0 {
		return c.sleep(ctx, ahead)
	}
	return nil
}

// wait keeps the platform's pause between the end of one request's
// start and the next.
func (c *Client) wait(ctx context.Context) error {
	c.mu.Lock()
	last := c.last
	c.mu.Unlock()
	if c.pause > 0 && !last.IsZero() {
		if d := c.pause - time.Since(last); d > 0 {
			if err := c.sleep(ctx, d); err != nil {
				return err
			}
		}
	}
	c.mu.Lock()
	c.last = time.Now()
	c.mu.Unlock()
	return nil
}

// blockedConnect finds the egress proxy's refusal of a CONNECT (an https
// destination): the transport reports it as the proxy's status text.
func blockedConnect(err error) error {
	var be *netguard.BlockedError
	if errors.As(err, &be) {
		return be
	}
	if r, ok := netguard.ParseBlocked(err.Error()); ok {
		return &netguard.BlockedError{Reason: r}
	}
	return nil
}

func retryAfter(h http.Header) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
