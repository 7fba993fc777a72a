package ytdlp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/downlink/downlink/api/internal/problem"
)

// Preset chooses the format: H.264/AAC in mp4 that every browser and
// device plays (compatible, the default), the best available (often AV1 or
// VP9, sometimes HDR, in mkv), the best up to a resolution, or audio only.
type Preset string

// Presets, the allowed values of Options.Preset.
const (
	PresetCompatible Preset = "compatible"
	PresetBest       Preset = "best"
	Preset2160p      Preset = "2160p"
	Preset1440p      Preset = "1440p"
	Preset1080p      Preset = "1080p"
	Preset720p       Preset = "720p"
	Preset480p       Preset = "480p"
	Preset360p       Preset = "360p"
	PresetAudio      Preset = "audio"
)

// Presets lists every preset, the default first.
var Presets = []Preset{PresetCompatible, PresetBest, Preset2160p, Preset1440p, Preset1080p, Preset720p, Preset480p, Preset360p, PresetAudio}

// height returns the maximum height of a resolution preset, 0 for others.
func (p Preset) height() int {
	if !strings.HasSuffix(string(p), "p") {
		return 0
	}
	h, _ := strconv.Atoi(strings.TrimSuffix(string(p), "p"))
	return h
}

// AudioFormat is the format audio is converted to with the audio preset.
type AudioFormat string

// Audio formats, the allowed values of Options.AudioFormat.
const (
	AudioMP3  AudioFormat = "mp3"
	AudioM4A  AudioFormat = "m4a"
	AudioOpus AudioFormat = "opus"
	AudioFLAC AudioFormat = "flac"
)

// AudioFormats lists every audio format.
var AudioFormats = []AudioFormat{AudioMP3, AudioM4A, AudioOpus, AudioFLAC}

// SponsorBlockCategories are the categories sponsorblock_remove accepts
// ("all" and "default" as yt-dlp defines them; poi_highlight and chapter
// cannot be removed).
var SponsorBlockCategories = []string{
	"sponsor", "intro", "outro", "selfpromo", "preview", "filler",
	"interaction", "music_offtopic", "hook", "all", "default",
}

// maxSubtitleLanguages bounds Subtitles.Languages.
const maxSubtitleLanguages = 20

// Options is the fixed allow-list of what a user may choose for a download.
// Each field maps to a known set of yt-dlp flags; nothing else reaches the
// command line. Decode request JSON with DecodeOptions, which rejects
// unknown keys.
type Options struct {
	// Preset defaults to "compatible".
	Preset Preset `json:"preset,omitempty"`
	// AudioFormat converts the audio (preset "audio" only). Empty keeps the
	// best audio as it is, without re-encoding when possible.
	AudioFormat AudioFormat `json:"audio_format,omitempty"`
	// AudioQuality is a VBR level 0 (best)–10 or a bitrate in kbit/s
	// ("192k" or 192); preset "audio" only; ignored for flac.
	AudioQuality AudioQuality `json:"audio_quality,omitempty"`
	// Subtitles to download (and embed).
	Subtitles *Subtitles `json:"subtitles,omitempty"`
	// EmbedThumbnail, EmbedMetadata and EmbedChapters write the thumbnail,
	// the tags and the chapters into the file.
	EmbedThumbnail bool `json:"embed_thumbnail,omitempty"`
	EmbedMetadata  bool `json:"embed_metadata,omitempty"`
	EmbedChapters  bool `json:"embed_chapters,omitempty"`
	// SponsorBlockRemove cuts these SponsorBlock categories out (YouTube).
	SponsorBlockRemove []string `json:"sponsorblock_remove,omitempty"`
	// PlaylistItems selects playlist entries in yt-dlp syntax, e.g.
	// "1-3,7,-2" or "::2". Used when a playlist is expanded.
	PlaylistItems string `json:"playlist_items,omitempty"`
	// Latest is the request's "just the N newest items" of a channel or
	// playlist. DecodeOptions turns it into PlaylistItems "1-N" (yt-dlp
	// lists a channel newest first, a playlist in its own order) and
	// clears it: decoded options never hold it.
	Latest *int `json:"latest,omitempty"`
}

// MaxLatest bounds Options.Latest.
const MaxLatest = 1000

// Subtitles selects subtitle languages.
type Subtitles struct {
	// Languages are language codes ("en", "pt-BR"), optionally with a
	// trailing ".*" ("en.*": every English variant), or "all".
	Languages []string `json:"languages"`
	// Auto also takes automatically generated subtitles.
	Auto bool `json:"auto,omitempty"`
	// Embed writes them into the video file instead of beside it.
	Embed bool `json:"embed,omitempty"`
}

// AudioQuality is yt-dlp's --audio-quality: "0"–"10" (VBR, 0 best) or a
// bitrate such as "192k". In JSON it may be a string or a number; a number
// up to 10 is a VBR level, a larger one kbit/s.
type AudioQuality string

// UnmarshalJSON accepts a string or an integer.
func (q *AudioQuality) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*q = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*q = AudioQuality(s)
		return nil
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return errAudioQualityType
	}
	*q = AudioQuality(strconv.Itoa(n))
	return nil
}

// errAudioQualityType is returned when audio_quality is neither a string
// nor an integer; DecodeOptions names the field.
var errAudioQualityType = errors.New("must be a string or an integer")

var bitrateRe = regexp.MustCompile(`^([0-9]{1,4})[kK]?$`)

// arg returns the canonical --audio-quality value ("5" or "192K").
func (q AudioQuality) arg() (string, error) {
	m := bitrateRe.FindStringSubmatch(strings.TrimSpace(string(q)))
	if m == nil {
		return "", errors.New(`must be 0–10 (VBR) or a bitrate in kbit/s such as "192k"`)
	}
	n, _ := strconv.Atoi(m[1])
	hasK := strings.ContainsAny(string(q), "kK")
	switch {
	case !hasK && n <= 10:
		return strconv.Itoa(n), nil
	case n >= 32 && n <= 512:
		return strconv.Itoa(n) + "K", nil
	default:
		return "", errors.New("bitrate must be between 32k and 512k")
	}
}

// Constraints are what the caller knows about the platform of a download.
type Constraints struct {
	// SponsorBlock is true when the platform supports SponsorBlock (YouTube).
	SponsorBlock bool
}

var subLangRe = regexp.MustCompile(`^(all|[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}(\.\*)?)$`)

// Validate checks o against the allow-list and returns a 422
// *problem.Problem with one field error per problem, or nil.
func (o Options) Validate(c Constraints) error {
	p := problem.ErrValidation
	bad := func(field, msg string) { p = p.WithField(field, msg) }

	preset := o.Preset
	if preset == "" {
		preset = PresetCompatible
	}
	if !slices.Contains(Presets, preset) {
		bad("preset", "must be one of "+joinQuoted(Presets))
	}
	audio := preset == PresetAudio
	if o.AudioFormat != "" {
		switch {
		case !slices.Contains(AudioFormats, o.AudioFormat):
			bad("audio_format", "must be one of "+joinQuoted(AudioFormats))
		case !audio:
			bad("audio_format", `needs preset "audio"`)
		}
	}
	if o.AudioQuality != "" {
		if _, err := o.AudioQuality.arg(); err != nil {
			bad("audio_quality", err.Error())
		} else if !audio {
			bad("audio_quality", `needs preset "audio"`)
		}
	}
	if s := o.Subtitles; s != nil {
		switch {
		case len(s.Languages) == 0:
			bad("subtitles.languages", "name at least one language")
		case len(s.Languages) > maxSubtitleLanguages:
			bad("subtitles.languages", fmt.Sprintf("at most %d languages", maxSubtitleLanguages))
		}
		for i, l := range s.Languages {
			if !subLangRe.MatchString(l) {
				bad(fmt.Sprintf("subtitles.languages[%d]", i), `must be a language code such as "en", "pt-BR" or "en.*", or "all"`)
			}
		}
		if s.Embed && audio {
			bad("subtitles.embed", "subtitles cannot be embedded in audio-only downloads")
		}
	}
	if len(o.SponsorBlockRemove) > 0 {
		if !c.SponsorBlock {
			bad("sponsorblock_remove", "SponsorBlock is only available for YouTube")
		}
		if len(o.SponsorBlockRemove) > len(SponsorBlockCategories) {
			bad("sponsorblock_remove", "too many categories")
		}
		for i, cat := range o.SponsorBlockRemove {
			if !slices.Contains(SponsorBlockCategories, cat) {
				bad(fmt.Sprintf("sponsorblock_remove[%d]", i), "must be one of "+joinQuoted(SponsorBlockCategories))
			}
		}
	}
	if o.PlaylistItems != "" {
		if err := validatePlaylistItems(o.PlaylistItems); err != nil {
			bad("playlist_items", err.Error())
		}
	}
	if len(p.Errors) > 0 {
		return p
	}
	return nil
}

func joinQuoted[T ~string](vals []T) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = strconv.Quote(string(v))
	}
	return strings.Join(q, ", ")
}
