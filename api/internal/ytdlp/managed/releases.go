package managed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Defaults of ReleasesConfig.
const (
	DefaultAPIBase      = "https://api.github.com"
	DefaultDownloadBase = "https://github.com"
	defaultIdleTimeout  = 30 * time.Second
	// maxReleaseJSON bounds a release's JSON (notes and a few dozen assets).
	maxReleaseJSON = 4 << 20
)

// ReleasesConfig says where releases come from.
type ReleasesConfig struct {
	// APIBase serves GitHub's release API: GET
	// {APIBase}/repos/{owner}/{repo}/releases/latest and
	// /releases/tags/{tag}. Default https://api.github.com.
	APIBase string
	// DownloadBase serves the release files:
	// {DownloadBase}/{owner}/{repo}/releases/download/{tag}/{file}, as
	// yt-dlp's own updater fetches them. Default https://github.com.
	DownloadBase string
	// IdleTimeout gives up on a server that sends nothing for this long
	// (headers or body). Default 30s.
	IdleTimeout time.Duration
	// UserAgent is sent with every request (GitHub requires one).
	UserAgent string
}

// Releases reads yt-dlp's releases and downloads their files.
type Releases struct {
	cfg    ReleasesConfig
	client *http.Client
}

// NewReleases returns a client for cfg.
func NewReleases(cfg ReleasesConfig) *Releases {
	if cfg.APIBase == "" {
		cfg.APIBase = DefaultAPIBase
	}
	if cfg.DownloadBase == "" {
		cfg.DownloadBase = DefaultDownloadBase
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = defaultIdleTimeout
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "downlink"
	}
	cfg.APIBase = strings.TrimRight(cfg.APIBase, "/")
	cfg.DownloadBase = strings.TrimRight(cfg.DownloadBase, "/")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = cfg.IdleTimeout
	tr.TLSHandshakeTimeout = cfg.IdleTimeout
	tr.DialContext = (&net.Dialer{Timeout: cfg.IdleTimeout, KeepAlive: 30 * time.Second}).DialContext
	return &Releases{cfg: cfg, client: &http.Client{Transport: tr}}
}

// Release is one yt-dlp release.
type Release struct {
	Channel     Channel
	Tag         string
	Version     string
	PublishedAt time.Time
	Assets      map[string]Asset
}

// Asset is one file of a release.
type Asset struct {
	Name string
	// Size in bytes as the release API says; 0 when it does not say.
	Size int64
}

// versionRe is a yt-dlp version: YYYY.MM.DD, nightly builds with a
// fourth part. It is also what may name a folder under tools/yt-dlp.
var versionRe = regexp.MustCompile(`^[0-9]{4}\.[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]{1,9})?$`)

// ValidVersion reports whether v looks like a yt-dlp version.
func ValidVersion(v string) bool { return versionRe.MatchString(v) }

// Latest returns the newest release of ch.
func (r *Releases) Latest(ctx context.Context, ch Channel) (Release, error) {
	return r.release(ctx, ch, "latest")
}

// Tag returns the release tagged tag on ch.
func (r *Releases) Tag(ctx context.Context, ch Channel, tag string) (Release, error) {
	if !ValidVersion(tag) {
		return Release{}, refuse(CodeBadRelease, nil, "%q is not a yt-dlp version", tag)
	}
	return r.release(ctx, ch, "tags/"+tag)
}

func (r *Releases) release(ctx context.Context, ch Channel, which string) (Release, error) {
	repo := ch.Repo()
	if repo == "" {
		return Release{}, fmt.Errorf("managed: unknown channel %q", ch)
	}
	u := r.cfg.APIBase + "/repos/" + repo + "/releases/" + which
	body, err := r.fetch(ctx, u, maxReleaseJSON, map[string]string{
		"Accept":               "application/vnd.github+json",
		"X-GitHub-Api-Version": "2022-11-28",
	})
	if err != nil {
		return Release{}, err
	}
	var j struct {
		TagName     string    `json:"tag_name"`
		Draft       bool      `json:"draft"`
		PublishedAt time.Time `json:"published_at"`
		Assets      []struct {
			Name  string `json:"name"`
			Size  int64  `json:"size"`
			State string `json:"state"`
		} `json:"assets"`
	}
	if err := json.Unmarshal(body, &j); err != nil {
		return Release{}, refuse(CodeBadRelease, err, "the release API answered something that is not a GitHub release (%s)", u)
	}
	if !ValidVersion(j.TagName) || j.Draft {
		return Release{}, refuse(CodeBadRelease, nil, "the release %q of %s is not a yt-dlp version", j.TagName, repo)
	}
	rel := Release{Channel: ch, Tag: j.TagName, Version: j.TagName, PublishedAt: j.PublishedAt, Assets: map[string]Asset{}}
	for _, a := range j.Assets {
		if a.State == "" || a.State == "uploaded" {
			rel.Assets[a.Name] = Asset{Name: a.Name, Size: max(a.Size, 0)}
		}
	}
	return rel, nil
}

// assetURL is where a release file is downloaded from.
func (r *Releases) assetURL(rel Release, name string) string {
	return r.cfg.DownloadBase + "/" + rel.Channel.Repo() + "/releases/download/" + url.PathEscape(rel.Tag) + "/" + url.PathEscape(name)
}

// fetch reads a small document whole.
func (r *Releases) fetch(ctx context.Context, u string, limit int64, header map[string]string) ([]byte, error) {
	var b strings.Builder
	if _, err := r.copy(ctx, u, &b, limit, header, nil); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// errStalled ends a request whose server went quiet.
var errStalled = errors.New("the server stopped sending")

// copy GETs u into w: at most limit bytes, giving up when the server sends
// nothing for IdleTimeout; progress (may be nil) hears the bytes so far.
// The body must be exactly Content-Length bytes when the server gives one.
func (r *Releases) copy(ctx context.Context, u string, w io.Writer, limit int64, header map[string]string, progress func(int64)) (int64, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := time.AfterFunc(r.cfg.IdleTimeout, func() { cancel(errStalled) })
	defer idle.Stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, refuse(CodeUnreachable, err, "bad release URL %s", u)
	}
	req.Header.Set("User-Agent", r.cfg.UserAgent)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, r.netError(ctx, u, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return 0, refuse(CodeBadRelease, nil, "%s does not exist (404)", u)
	case resp.StatusCode != http.StatusOK:
		return 0, refuse(CodeUnreachable, nil, "%s answered %s", u, resp.Status)
	case resp.ContentLength > limit:
		return 0, refuse(CodeTooLarge, nil, "%s is %d bytes, more than the %d a yt-dlp file can be", u, resp.ContentLength, limit)
	}
	var n int64
	buf := make([]byte, 64<<10)
	for {
		m, rerr := resp.Body.Read(buf)
		if m > 0 {
			idle.Reset(r.cfg.IdleTimeout)
			if n+int64(m) > limit {
				return n, refuse(CodeTooLarge, nil, "%s is more than the %d bytes a yt-dlp file can be", u, limit)
			}
			if _, werr := w.Write(buf[:m]); werr != nil {
				return n, werr
			}
			n += int64(m)
			if progress != nil {
				progress(n)
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			if errors.Is(rerr, io.ErrUnexpectedEOF) {
				return n, refuse(CodeTruncated, rerr, "the download of %s ended after %d of %d bytes", u, n, resp.ContentLength)
			}
			return n, r.netError(ctx, u, rerr)
		}
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return n, refuse(CodeTruncated, nil, "the download of %s ended after %d of %d bytes", u, n, resp.ContentLength)
	}
	return n, nil
}

func (r *Releases) netError(ctx context.Context, u string, err error) error {
	cause := context.Cause(ctx)
	var ne net.Error
	switch {
	case errors.Is(cause, errStalled):
		return refuse(CodeTimeout, err, "the release server %s sent nothing for %v", host(u), r.cfg.IdleTimeout)
	case errors.Is(cause, context.DeadlineExceeded):
		return refuse(CodeTimeout, err, "the release server %s did not finish in the time allowed", host(u))
	case errors.Is(cause, context.Canceled):
		return fmt.Errorf("managed: %s: %w", u, cause)
	case errors.As(err, &ne) && ne.Timeout():
		return refuse(CodeTimeout, err, "the release server %s did not answer within %v", host(u), r.cfg.IdleTimeout)
	}
	return refuse(CodeUnreachable, err, "cannot reach the release server %s", host(u))
}

func host(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return u
}
