package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
)

// TestYouTubePOTokenSettings: the YouTube extractor arguments are an
// allow-list (a key off it, or a value that could smuggle another key, is
// a 422 naming the field and changes nothing); the provider URL must be a
// plain http(s) base URL; valid ones are stored and shown.
func TestYouTubePOTokenSettings(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := adminClient(t, env)
	put := func(yt map[string]any) *apitest.Response {
		return admin.Do(http.MethodPut, "/api/v1/settings/platforms/youtube", map[string]any{
			"enabled": true, "default_preset": "compatible", "audio_format": "mp3", "max_concurrent": 1,
			"rate_limit_bytes_per_second": nil, "sleep_between_requests_seconds": 0, "proxy": nil,
			"options": map[string]any{"youtube": yt},
		})
	}
	base := func(extra map[string]any) map[string]any {
		m := map[string]any{"subtitle_languages": []string{}, "sponsorblock_categories": []string{}, "auto_captions": false}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name  string
		yt    map[string]any
		field string
	}{
		{"key off the list", base(map[string]any{"extractor_args": map[string]string{"formats": "missing_pot"}}), "options.youtube.extractor_args"},
		{"smuggled key", base(map[string]any{"extractor_args": map[string]string{"player_client": "web;formats=missing_pot"}}), "options.youtube.extractor_args"},
		{"provider with credentials", base(map[string]any{"po_token_provider_url": "http://u:p@bgutil:4416"}), "options.youtube.po_token_provider_url"},
	} {
		r := put(tc.yt)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), tc.field) {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
		}
	}
	var saved struct {
		Options struct {
			YouTube struct {
				ExtractorArgs map[string]string `json:"extractor_args"`
				Provider      string            `json:"po_token_provider_url"`
			} `json:"youtube"`
		} `json:"options"`
	}
	expectStatus(t, put(base(map[string]any{"extractor_args": map[string]string{"player_client": "default,mweb", "fetch_pot": "always"},
		"po_token_provider_url": "http://bgutil:4416"})), http.StatusOK).JSON(&saved)
	if saved.Options.YouTube.ExtractorArgs["fetch_pot"] != "always" || saved.Options.YouTube.Provider != "http://bgutil:4416" {
		t.Errorf("saved %+v", saved.Options.YouTube)
	}
}
