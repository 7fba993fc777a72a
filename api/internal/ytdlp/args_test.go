package ytdlp

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the argv golden files in testdata/argv")

// goldenConfig and goldenJob fix everything that would vary between
// machines, so the golden files are exact.
var goldenConfig = Config{Path: "/usr/bin/yt-dlp", Home: "/home/downlink", SearchPath: "/usr/bin:/bin",
	JSRuntime: JSRuntime{Name: "deno", Path: "/usr/local/lib/downlink/deno/deno", CacheDir: "/usr/local/lib/downlink/deno/cache"}}

func goldenJob(o Options) Job {
	return Job{
		ID:       "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
		URL:      "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
		Dir:      "/data/tmp/jobs/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
		Options:  o,
		Settings: Settings{ProxyURL: "http://127.0.0.1:41000", AllowSponsorBlock: true},
	}
}

func TestDownloadArgsGolden(t *testing.T) {
	t.Parallel()
	cases := map[string]Job{}
	for _, p := range Presets {
		if p != PresetAudio {
			cases["preset-"+string(p)] = goldenJob(Options{Preset: p})
		}
	}
	cases["preset-audio"] = goldenJob(Options{Preset: PresetAudio})
	for _, f := range AudioFormats {
		cases["audio-"+string(f)] = goldenJob(Options{Preset: PresetAudio, AudioFormat: f, AudioQuality: "192k"})
	}
	cases["all-options"] = goldenJob(Options{
		Preset:             Preset1080p,
		Subtitles:          &Subtitles{Languages: []string{"en", "pt-BR"}, Auto: true, Embed: true},
		EmbedThumbnail:     true,
		EmbedMetadata:      true,
		EmbedChapters:      true,
		SponsorBlockRemove: []string{"sponsor", "selfpromo"},
	})
	settings := goldenJob(Options{})
	settings.Settings = Settings{
		RateLimit: 500_000, ProxyURL: "socks5h://127.0.0.1:41001", CookiesFile: "/data/tmp/jobs/x/cookies.txt",
		SleepRequests: 1500 * time.Millisecond, AllowGeneric: true, RemoteComponents: []string{RemoteEJSGitHub},
	}
	cases["settings"] = settings
	pot := goldenJob(Options{})
	pot.Settings.PluginDir = "/opt/downlink/ytdlp-plugins"
	pot.Settings.ExtractorArgs = YouTubeExtractorArgs(map[string]string{"player_client": "default,mweb", "fetch_pot": "always"},
		"http://bgutil:4416/")
	cases["po-token-provider"] = pot
	entries := goldenJob(Options{PlaylistItems: "1-3,7"})
	entries.AllEntries = true
	cases["all-entries"] = entries

	for name, job := range cases {
		t.Run(name, func(t *testing.T) {
			if err := job.validate(); err != nil {
				t.Fatalf("job does not validate: %v", err)
			}
			args, err := downloadArgs(&goldenConfig, featuresFor("2026.10.26"), job)
			if err != nil {
				t.Fatal(err)
			}
			if job.Settings.PluginDir != "" {
				checkInvariantsAllowing(t, args, job.URL, "--plugin-dirs")
			} else {
				checkInvariants(t, args, job.URL)
			}
			got := strings.Join(args, "\n") + "\n"
			file := filepath.Join("testdata", "argv", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if got != string(want) {
				t.Errorf("argv differs from %s (run with -update if intended)\ngot:\n%s\nwant:\n%s", file, got, want)
			}
		})
	}
}

// forbiddenFlags must never appear in any command.
var forbiddenFlags = []string{
	"--exec", "--exec-before-download", "--netrc-cmd", "--netrc", "--write-link", "--write-url-link",
	"--write-webloc-link", "--write-desktop-link", "--batch-file", "-a", "--plugin-dirs",
	"--config-locations", "--load-info-json", "--cookies-from-browser", "--alias",
}

func checkInvariants(t *testing.T, args []string, url string) {
	t.Helper()
	checkInvariantsAllowing(t, args, url)
}

// checkInvariantsAllowing is checkInvariants with some forbidden flags
// allowed (an admin's opt-in, e.g. --plugin-dirs for a PO-token provider).
func checkInvariantsAllowing(t *testing.T, args []string, url string, allowed ...string) {
	t.Helper()
	n := len(args)
	if n < 2 || args[n-1] != url || args[n-2] != "--" {
		t.Fatalf("argv must end with -- and the URL: %q", args[max(0, n-3):])
	}
	opts := args[:n-2]
	for _, must := range []string{"--ignore-config", "--no-exec"} {
		if !slices.Contains(opts, must) {
			t.Errorf("argv lacks %s", must)
		}
	}
	for _, a := range opts {
		name, _, _ := strings.Cut(a, "=")
		if slices.Contains(forbiddenFlags, name) && !slices.Contains(allowed, name) {
			t.Errorf("argv has forbidden flag %s", a)
		}
		if a == "--" {
			t.Errorf("a second -- before the URL")
		}
	}
}

func TestDownloadArgsPlaylistAndGeneric(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		job       func(Job) Job
		want      []string
		wantNot   []string
		wantPairs [][2]string
	}{
		{"single item", func(j Job) Job { return j }, []string{"--no-playlist"}, []string{"--yes-playlist", "--playlist-items"},
			[][2]string{{"--use-extractors", "default,-generic"}, {"--output", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.%(ext)s"}}},
		{"playlist_items ignored for one item", func(j Job) Job { j.Options.PlaylistItems = "2"; return j },
			[]string{"--no-playlist"}, []string{"--playlist-items"}, nil},
		{"generic allowed", func(j Job) Job { j.Settings.AllowGeneric = true; return j }, nil, []string{"--use-extractors"}, nil},
		{"all entries", func(j Job) Job { j.AllEntries = true; j.Options.PlaylistItems = "2:5"; return j },
			[]string{"--yes-playlist"}, []string{"--no-playlist"}, [][2]string{{"--playlist-items", "2:5"}}},
		{"old yt-dlp has no --no-plugin-dirs", func(j Job) Job { return j }, nil, nil, nil},
		{"live streams refused", func(j Job) Job { j.Settings.RefuseLive = true; return j }, nil, nil,
			[][2]string{{"--break-match-filters", "!is_live"}}},
		{"live streams allowed", func(j Job) Job { return j }, nil, []string{"--break-match-filters"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := tt.job(goldenJob(Options{}))
			args, err := downloadArgs(&goldenConfig, featuresFor("2026.10.26"), job)
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, args, job.URL)
			for _, w := range tt.want {
				if !slices.Contains(args, w) {
					t.Errorf("missing %s in %q", w, args)
				}
			}
			for _, w := range tt.wantNot {
				if slices.Contains(args, w) {
					t.Errorf("unexpected %s in %q", w, args)
				}
			}
			for _, p := range tt.wantPairs {
				i := slices.Index(args, p[0])
				if i < 0 || i+1 >= len(args) || args[i+1] != p[1] {
					t.Errorf("want %s %s in %q", p[0], p[1], args)
				}
			}
		})
	}
	t.Run("feature gate", func(t *testing.T) {
		old, _ := downloadArgs(&goldenConfig, featuresFor("2024.05.26"), goldenJob(Options{}))
		if slices.Contains(old, "--no-plugin-dirs") {
			t.Error("--no-plugin-dirs passed to a yt-dlp that predates it")
		}
		job := goldenJob(Options{})
		job.Settings.RemoteComponents = []string{RemoteEJSNPM}
		for _, v := range []string{"2024.05.26", "2025.10.22"} {
			old, _ := downloadArgs(&goldenConfig, featuresFor(v), job)
			for _, f := range []string{"--js-runtimes", "--no-js-runtimes", "--remote-components"} {
				if slices.Contains(old, f) {
					t.Errorf("%s passed to yt-dlp %s, which predates it", f, v)
				}
			}
		}
	})
}

func TestURLNeverAnOption(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"-o/etc/passwd", "--exec=id", "https://example.com/v#__youtubedl_smuggle=%7B%7D",
		"file:///etc/passwd", "ftp://example.com/x", "https://exa mple.com/", "https://example.com/\n--exec",
		"", "//example.com/x",
	} {
		job := goldenJob(Options{})
		job.URL = u
		if err := job.validate(); err == nil {
			t.Errorf("URL %q accepted", u)
		}
	}
}

// The runtime flags come first and in this order: --no-js-runtimes clears
// yt-dlp's default (deno from PATH) before the chosen runtime is enabled.
func TestJSRuntimeArgs(t *testing.T) {
	for _, tt := range []struct {
		spec string
		want []string
	}{
		{"deno:/opt/deno/bin/deno", []string{"--no-js-runtimes", "--js-runtimes", "deno:/opt/deno/bin/deno"}},
		{"node:/usr/local/bin/node", []string{"--no-js-runtimes", "--js-runtimes", "node:/usr/local/bin/node"}},
		{"none", []string{"--no-js-runtimes", "--no-exec"}},
	} {
		t.Run(tt.spec, func(t *testing.T) {
			rt, err := ParseJSRuntime(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			cfg := goldenConfig
			cfg.JSRuntime = rt
			args, err := downloadArgs(&cfg, featuresFor("2026.10.26"), goldenJob(Options{}))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(args[:len(tt.want)], tt.want) {
				t.Errorf("argv starts %q, want %q", args[:len(tt.want)], tt.want)
			}
			if tt.spec == "none" && slices.Contains(args, "--js-runtimes") {
				t.Errorf("none still enables a runtime: %q", args)
			}
		})
	}
}

func TestParseJSRuntime(t *testing.T) {
	for _, bad := range []string{"v8", "deno:relative/deno", "node:", "deno:/a,b", "NODE"} {
		if _, err := ParseJSRuntime(bad); err == nil && bad != "node:" {
			t.Errorf("%q accepted", bad)
		}
	}
	rt, err := ResolveJSRuntime("", t.TempDir())
	if err != nil || rt.Name != "deno" {
		t.Fatalf("default = %+v, %v; want deno", rt, err)
	}
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "deno"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(home, "cache"), 0o755); err != nil {
		t.Fatal(err)
	}
	rt, err = ResolveJSRuntime("", home)
	if err != nil || rt.Path != filepath.Join(home, "deno") || rt.CacheDir != filepath.Join(home, "cache") {
		t.Fatalf("install path not preferred: %+v, %v", rt, err)
	}
	if env := rt.env(); env["DENO_DIR"] != filepath.Join(home, "cache") {
		t.Errorf("env = %v, want DENO_DIR", env)
	}
	rt, _ = ResolveJSRuntime("node:/opt/node/bin/node", home)
	if rt.CacheDir != "" || rt.env() != nil {
		t.Errorf("node got Deno's cache: %+v", rt)
	}
	if err := (Settings{RemoteComponents: []string{"ejs:evil"}}).Validate(); err == nil {
		t.Error("unknown remote component accepted")
	}
}

// Only the allow-listed YouTube extractor arguments, with plain values,
// and an http(s) provider base URL pass.
func TestExtractorArgsAllowList(t *testing.T) {
	good := map[string]string{"player_client": "default,-web_safari", "po_token": "web.gvs+MnQyYzA0", "fetch_pot": "always",
		"player_skip": "webpage,configs", "visitor_data": "CgtB", "data_sync_id": "abc"}
	if err := ValidateYouTubeExtractorArgs(good); err != nil {
		t.Fatalf("good args refused: %v", err)
	}
	for _, bad := range []map[string]string{
		{"formats": "missing_pot"},                   // not on the list
		{"player_client": "web;formats=missing_pot"}, // smuggles a second key
		{"po_token": "a b"},                          // space
		{"po_token": `x"`},                           // quote
		{"player_client": ""},                        // empty
	} {
		if err := ValidateYouTubeExtractorArgs(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	for _, u := range []string{"ftp://x:1", "http://", "http://u:p@bgutil:4416", "http://bgutil:4416/?a=b", "http://bgutil:4416;x=y"} {
		if err := ValidatePOTProviderURL(u); err == nil {
			t.Errorf("provider %q accepted", u)
		}
	}
	s := Settings{ExtractorArgs: []string{"generic:impersonate"}}
	if err := s.Validate(); err == nil {
		t.Error("a non-YouTube extractor argument passed Settings.Validate")
	}
	s = Settings{ExtractorArgs: YouTubeExtractorArgs(good, "http://bgutil:4416"), PluginDir: "/opt/p"}
	if err := s.Validate(); err != nil {
		t.Errorf("built args refused: %v", err)
	}
	if err := (Settings{PluginDir: "relative/dir"}).Validate(); err == nil {
		t.Error("relative plugin dir accepted")
	}
}
