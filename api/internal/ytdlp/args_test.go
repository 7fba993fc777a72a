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
var goldenConfig = Config{Path: "/usr/bin/yt-dlp", Home: "/home/downlink", SearchPath: "/usr/bin:/bin"}

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
		SleepRequests: 1500 * time.Millisecond, AllowGeneric: true,
	}
	cases["settings"] = settings
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
			checkInvariants(t, args, job.URL)
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
		if slices.Contains(forbiddenFlags, name) {
			t.Errorf("argv has forbidden flag %s", a)
		}
		if a == "--" {
			t.Errorf("a second -- before the URL")
		}
	}
}

func TestDownloadArgsPlaylistAndGeneric(t *testing.T) {
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
	})
}

func TestURLNeverAnOption(t *testing.T) {
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
