package config

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/downlink/downlink/api/internal/ytdlp"
)

// normalizeYtdlp checks the managed yt-dlp's sources: absolute http(s)
// base URLs and a readable key file.
func (c *Config) normalizeYtdlp() []error {
	var errs []error
	for _, f := range []struct {
		name string
		v    *string
	}{{"DOWNLINK_YTDLP_RELEASES_API", &c.YtdlpReleasesAPI}, {"DOWNLINK_YTDLP_RELEASES_DOWNLOAD", &c.YtdlpReleasesDownload},
		{"DOWNLINK_GITHUB_URL", &c.GitHubURL}, {"DOWNLINK_GITHUB_API_URL", &c.GitHubAPIURL}} {
		if *f.v == "" {
			continue
		}
		u, err := url.Parse(*f.v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s %q: want an absolute http(s) URL", f.name, *f.v))
			continue
		}
		*f.v = strings.TrimRight(*f.v, "/")
	}
	if _, err := ytdlp.ParseJSRuntime(c.JSRuntime); err != nil {
		errs = append(errs, fmt.Errorf("DOWNLINK_JS_RUNTIME: %w", err))
	}
	if c.YtdlpPluginDir != "" {
		if st, err := os.Stat(c.YtdlpPluginDir); err != nil || !st.IsDir() || !filepath.IsAbs(c.YtdlpPluginDir) {
			errs = append(errs, fmt.Errorf("DOWNLINK_YTDLP_PLUGIN_DIR %q: want an existing folder, as an absolute path", c.YtdlpPluginDir))
		}
	}
	if c.DenoHome != "" && !filepath.IsAbs(c.DenoHome) {
		errs = append(errs, fmt.Errorf("DOWNLINK_DENO_HOME %q: want an absolute path", c.DenoHome))
	}
	if c.YtdlpSigningKey != "" {
		if _, err := os.Stat(c.YtdlpSigningKey); err != nil {
			errs = append(errs, fmt.Errorf("DOWNLINK_YTDLP_SIGNING_KEY %q: %w", c.YtdlpSigningKey, err))
		} else if abs, err := filepath.Abs(c.YtdlpSigningKey); err == nil {
			c.YtdlpSigningKey = abs
		}
	}
	return errs
}

// YtdlpToolsDir is where the managed yt-dlp keeps its versions.
func (c *Config) YtdlpToolsDir() string { return filepath.Join(c.DataDir, "tools", "yt-dlp") }
