package ytdlp

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/problem"
)

// fieldErrors returns "field: message" of a 422 problem, failing otherwise.
func fieldErrors(t *testing.T, err error) map[string]string {
	t.Helper()
	var p *problem.Problem
	if !errors.As(err, &p) || p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("want a 422 problem, got %v", err)
	}
	m := map[string]string{}
	for _, fe := range p.Errors {
		m[fe.Field] = fe.Message
	}
	return m
}

func TestDecodeOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		want      Options
		wantField string // a field error expected, "" for success
	}{
		{"empty", ``, Options{}, ""},
		{"null", `null`, Options{}, ""},
		{"all fields", `{"preset":"audio","audio_format":"mp3","audio_quality":"192k",
			"subtitles":{"languages":["en"],"auto":true,"embed":false},"embed_thumbnail":true,
			"embed_metadata":true,"embed_chapters":true,"sponsorblock_remove":["sponsor"],"playlist_items":"1-3"}`,
			Options{Preset: PresetAudio, AudioFormat: AudioMP3, AudioQuality: "192k",
				Subtitles: &Subtitles{Languages: []string{"en"}, Auto: true}, EmbedThumbnail: true,
				EmbedMetadata: true, EmbedChapters: true, SponsorBlockRemove: []string{"sponsor"}, PlaylistItems: "1-3"}, ""},
		{"audio quality as number", `{"preset":"audio","audio_quality":5}`, Options{Preset: PresetAudio, AudioQuality: "5"}, ""},
		{"unknown key", `{"preset":"best","exec":"rm -rf /"}`, Options{}, "exec"},
		{"unknown nested key", `{"subtitles":{"languages":["en"],"format":"srt"}}`, Options{}, "subtitles.format"},
		{"flag-looking key", `{"--exec":"id"}`, Options{}, "--exec"},
		{"wrong type", `{"embed_thumbnail":"yes"}`, Options{}, "embed_thumbnail"},
		{"wrong nested type", `{"subtitles":{"languages":"en"}}`, Options{}, "subtitles.languages"},
		{"audio quality object", `{"audio_quality":{}}`, Options{}, "audio_quality"},
		{"not an object", `["best"]`, Options{}, "options"},
		{"subtitles not an object", `{"subtitles":"en"}`, Options{}, "subtitles"},
		{"trailing data", `{"preset":"best"} {"preset":"audio"}`, Options{}, "options"},
		{"syntax error", `{"preset":`, Options{}, "options"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeOptions(json.RawMessage(tt.in))
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("DecodeOptions: %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			fields := fieldErrors(t, err)
			if _, ok := fields[tt.wantField]; !ok {
				t.Errorf("want an error on %q, got %v", tt.wantField, fields)
			}
		})
	}
}

func TestDecodeOptionsNamesEveryUnknownKey(t *testing.T) {
	t.Parallel()
	_, err := DecodeOptions(json.RawMessage(`{"a":1,"preset":"best","b":2,"subtitles":{"languages":["en"],"c":3}}`))
	fields := fieldErrors(t, err)
	for _, f := range []string{"a", "b", "subtitles.c"} {
		if fields[f] != "unknown option" {
			t.Errorf("field %q: got %q, want \"unknown option\" (all: %v)", f, fields[f], fields)
		}
	}
	if !strings.Contains(err.Error(), "a: unknown option") {
		t.Errorf("error text %q does not name the key", err)
	}
}

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	yt := Constraints{SponsorBlock: true}
	other := Constraints{}
	tests := []struct {
		name  string
		o     Options
		c     Constraints
		field string // "" when valid
	}{
		{"zero is best", Options{}, other, ""},
		{"every preset", Options{Preset: Preset720p}, other, ""},
		{"unknown preset", Options{Preset: "4320p"}, other, "preset"},
		{"audio mp3 vbr", Options{Preset: PresetAudio, AudioFormat: AudioMP3, AudioQuality: "0"}, other, ""},
		{"audio bitrate", Options{Preset: PresetAudio, AudioFormat: AudioOpus, AudioQuality: "128K"}, other, ""},
		{"audio bare bitrate", Options{Preset: PresetAudio, AudioQuality: "320"}, other, ""},
		{"bad audio format", Options{Preset: PresetAudio, AudioFormat: "wav"}, other, "audio_format"},
		{"audio format needs audio preset", Options{Preset: PresetBest, AudioFormat: AudioMP3}, other, "audio_format"},
		{"quality needs audio preset", Options{AudioQuality: "5"}, other, "audio_quality"},
		{"quality 11", Options{Preset: PresetAudio, AudioQuality: "11"}, other, "audio_quality"},
		{"quality 5k", Options{Preset: PresetAudio, AudioQuality: "5k"}, other, "audio_quality"},
		{"quality 9999k", Options{Preset: PresetAudio, AudioQuality: "9999k"}, other, "audio_quality"},
		{"quality text", Options{Preset: PresetAudio, AudioQuality: "best"}, other, "audio_quality"},
		{"flac with quality is fine", Options{Preset: PresetAudio, AudioFormat: AudioFLAC, AudioQuality: "192k"}, other, ""},
		{"subtitles", Options{Subtitles: &Subtitles{Languages: []string{"en", "pt-BR", "en.*", "all", "zh-Hans"}, Embed: true}}, other, ""},
		{"subtitles without languages", Options{Subtitles: &Subtitles{Embed: true}}, other, "subtitles.languages"},
		{"subtitle regex", Options{Subtitles: &Subtitles{Languages: []string{"en", ".*"}}}, other, "subtitles.languages[1]"},
		{"subtitle with comma", Options{Subtitles: &Subtitles{Languages: []string{"en,de"}}}, other, "subtitles.languages[0]"},
		{"embed subs in audio", Options{Preset: PresetAudio, Subtitles: &Subtitles{Languages: []string{"en"}, Embed: true}}, other, "subtitles.embed"},
		{"sponsorblock on youtube", Options{SponsorBlockRemove: []string{"sponsor", "intro", "all"}}, yt, ""},
		{"sponsorblock elsewhere", Options{SponsorBlockRemove: []string{"sponsor"}}, other, "sponsorblock_remove"},
		{"sponsorblock bad category", Options{SponsorBlockRemove: []string{"poi_highlight"}}, yt, "sponsorblock_remove[0]"},
		{"sponsorblock exclusion syntax", Options{SponsorBlockRemove: []string{"all,-filler"}}, yt, "sponsorblock_remove[0]"},
		{"playlist items", Options{PlaylistItems: "1-3,7,-2,10:20:2,::-1"}, other, ""},
		{"bad playlist items", Options{PlaylistItems: "1-3;7"}, other, "playlist_items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.Validate(tt.c)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			fields := fieldErrors(t, err)
			if _, ok := fields[tt.field]; !ok {
				t.Errorf("want an error on %q, got %v", tt.field, fields)
			}
		})
	}
}

func TestValidatePlaylistItems(t *testing.T) {
	t.Parallel()
	valid := []string{"1", "7", "-1", "1-3", "3-3", "1:3", "1:", ":5", "::2", "-5::2", "10:1:-1", "1-3,7,-5::2", "1,2,3,4"}
	invalid := []string{
		"", ",", "1,", ",1", "0", "1-0", "3-1", "1:3:0", "a", "1 - 3", " 1", "1;2", "1-3-5",
		"1:2:3:4", "-1-3", "1e3", "0x10", "--exec", "1,2,$(id)", "2000000", strings.Repeat("1,", 200) + "1",
		"１", // a full-width digit
	}
	for _, s := range valid {
		if err := validatePlaylistItems(s); err != nil {
			t.Errorf("%q rejected: %v", s, err)
		}
	}
	for _, s := range invalid {
		if err := validatePlaylistItems(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	t.Parallel()
	good := []Settings{
		{},
		{RateLimit: 1 << 20, ProxyURL: "http://127.0.0.1:8081", CookiesFile: "/data/c.txt", AllowGeneric: true},
		{ProxyURL: "socks5h://user:pw@proxy:1080"},
	}
	bad := []Settings{
		{RateLimit: -1},
		{ProxyURL: "ftp://proxy:21"},
		{ProxyURL: "http://"},
		{CookiesFile: "cookies.txt"},
		{SleepRequests: -1},
		{SleepRequests: 2 * maxSleepRequests},
	}
	for _, s := range good {
		if err := s.Validate(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
	for _, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
}
