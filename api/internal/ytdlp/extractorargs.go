package ytdlp

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// YouTubeExtractorArgKeys are the YouTube --extractor-args an admin may
// set (yt-dlp's PO Token Guide and player options), nothing else.
var YouTubeExtractorArgKeys = []string{"player_client", "player_skip", "po_token", "fetch_pot", "visitor_data", "data_sync_id"}

// extractorArgValueRe: what those keys take (client names, tokens in
// base64url, "gvs+TOKEN", comma lists); no ";" (yt-dlp's key separator),
// no spaces, no quotes.
var extractorArgValueRe = regexp.MustCompile(`^[A-Za-z0-9_.,+/=-]+$`)

// ValidateYouTubeExtractorArgs checks an admin's YouTube extractor
// arguments against the allow-list; the error names the key.
func ValidateYouTubeExtractorArgs(args map[string]string) error {
	for k, v := range args {
		if !slices.Contains(YouTubeExtractorArgKeys, k) {
			return fmt.Errorf("%s: not an allowed YouTube extractor argument (allowed: %s)", k, strings.Join(YouTubeExtractorArgKeys, ", "))
		}
		if len(v) > 4096 || !extractorArgValueRe.MatchString(v) {
			return fmt.Errorf("%s: the value may hold letters, digits and _ . , + / = - only", k)
		}
	}
	return nil
}

// ValidatePOTProviderURL checks a PO-token provider's base URL (a
// bgutil-ytdlp-pot-provider HTTP server): http(s), a host, nothing else.
func ValidatePOTProviderURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(raw, ";, \"'") {
		return fmt.Errorf("want an http(s) base URL such as http://bgutil:4416")
	}
	return nil
}

// YouTubeExtractorArgs turns validated settings into --extractor-args
// values: one "youtube:k=v;…" and, with a provider, the bgutil HTTP
// provider's base_url.
func YouTubeExtractorArgs(args map[string]string, potProvider string) []string {
	var out []string
	if len(args) > 0 {
		keys := make([]string, 0, len(args))
		for k := range args {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + args[k]
		}
		out = append(out, "youtube:"+strings.Join(parts, ";"))
	}
	if potProvider != "" {
		out = append(out, "youtubepot-bgutilhttp:base_url="+strings.TrimRight(potProvider, "/"))
	}
	return out
}

// validateExtractorArgs checks Settings.ExtractorArgs: only what
// YouTubeExtractorArgs makes.
func validateExtractorArgs(list []string) error {
	for _, a := range list {
		switch {
		case strings.HasPrefix(a, "youtube:"):
			m := map[string]string{}
			for _, kv := range strings.Split(strings.TrimPrefix(a, "youtube:"), ";") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return fmt.Errorf("extractor argument %q has no value", kv)
				}
				m[k] = v
			}
			if err := ValidateYouTubeExtractorArgs(m); err != nil {
				return err
			}
		case strings.HasPrefix(a, "youtubepot-bgutilhttp:base_url="):
			if err := ValidatePOTProviderURL(strings.TrimPrefix(a, "youtubepot-bgutilhttp:base_url=")); err != nil {
				return err
			}
		default:
			return fmt.Errorf("extractor arguments %q are not allowed", a)
		}
	}
	return nil
}

func validatePluginDir(dir string) error {
	if dir != "" && (!filepath.IsAbs(dir) || strings.HasPrefix(dir, "-")) {
		return fmt.Errorf("plugin dir must be an absolute path")
	}
	return nil
}
