package ytdlp

import (
	"context"
	"errors"
	"strconv"
	"strings"

	goytdlp "github.com/lrstanley/go-ytdlp"
)

// features are the yt-dlp flags newer than MinVersion that we use when the
// installed version has them.
type features struct {
	// noPluginDirs: --no-plugin-dirs (2025.01.26) stops yt-dlp from loading
	// plugins from its default folders.
	noPluginDirs bool
	// jsRuntimes: --js-runtimes, --no-js-runtimes and --remote-components
	// (2025.11.12, with the external JavaScript challenge solver).
	jsRuntimes bool
}

func featuresFor(version string) features {
	return features{
		noPluginDirs: version == "" || CompareVersions(version, "2025.01.26") >= 0,
		jsRuntimes:   version == "" || CompareVersions(version, "2025.11.12") >= 0,
	}
}

// baseCommand returns the flags every yt-dlp command carries.
//
// Both --ignore-config and --no-exec exist in yt-dlp 2026.10 (and since
// long before MinVersion). --ignore-config keeps a stray config file
// (system, user or beside the binary) from adding options; --no-exec
// cancels any --exec that might slip in. We never pass --exec, --netrc-cmd,
// --write-link or --batch-file; --plugin-dirs and --extractor-args only
// from an admin's opt-in (Settings.PluginDir, Settings.ExtractorArgs).
func baseCommand(cfg *Config, feat features, s Settings) *goytdlp.Command {
	c := goytdlp.New().
		SetExecutable(cfg.Path).
		SetSeparateProcessGroup(true).
		SetEnvVarInherit(false).
		IgnoreConfig().
		NoExec().
		// --no-colors is deprecated; --color never is its replacement and
		// keeps escape codes out of the lines we parse.
		Color("never")
	switch {
	case s.PluginDir != "":
		// The admin's one plugin folder (a PO-token provider), opted in.
		c.PluginDirs(s.PluginDir)
	case feat.noPluginDirs:
		c.NoPluginDirs()
	}
	for _, a := range s.ExtractorArgs {
		c.ExtractorArgs(a)
	}
	if cfg.FFmpegPath != "" {
		c.FFmpegLocation(cfg.FFmpegPath)
	}
	if !s.AllowGeneric {
		c.UseExtractors("default,-generic")
	}
	if s.ProxyURL != "" {
		c.Proxy(s.ProxyURL)
	}
	if s.CookiesFile != "" {
		c.Cookies(s.CookiesFile)
	}
	if s.SleepRequests > 0 {
		c.SleepRequests(s.SleepRequests.Seconds())
	}
	if feat.jsRuntimes {
		for _, rc := range s.RemoteComponents {
			c.RemoteComponents(rc)
		}
	}
	return c
}

// argv returns the arguments (without the executable) of c for url, with
// "--" before the URL so it can never be read as an option, and the
// JavaScript runtime's flags first (their order matters).
//
// go-ytdlp's BuildCommand is used only for its argument list: it prepends
// its own cache folder to PATH and may set cmd.Err when the user cache
// folder is unknown, so the child starts through proc.
func argv(cfg *Config, feat features, c *goytdlp.Command, url string) []string {
	cmd := c.BuildCommand(context.Background(), "--", url)
	return append(cfg.JSRuntime.args(feat), cmd.Args[1:]...)
}

// liveFilter passes only media that is not live; exitBrokeOnFilter is
// yt-dlp's exit code when --break-match-filters stopped it.
const (
	liveFilter        = "!is_live"
	exitBrokeOnFilter = 101
)

// downloadArgs builds the full argument list for job.
func downloadArgs(cfg *Config, feat features, job Job) ([]string, error) {
	c := baseCommand(cfg, feat, job.Settings).
		Paths("temp:" + job.PartDir()).
		Paths("home:" + job.DoneDir()).
		RestrictFilenames().
		Continue().
		NoMtime().
		NoQuiet().
		NoSimulate().
		Newline().
		ProgressDelta(progressDelta).
		ProgressTemplate(progressTemplate).
		ProgressTemplate(postProcessTemplate).
		Print(infoPrint).
		Print(filePrint)

	// Output names come from our job ID only, never from the media or the
	// request; the extension is yt-dlp's.
	if job.AllEntries {
		c.YesPlaylist().Output(job.ID + ".%(autonumber)03d.%(ext)s")
		if job.Options.PlaylistItems != "" {
			c.PlaylistItems(job.Options.PlaylistItems)
		}
	} else {
		c.NoPlaylist().Output(job.ID + ".%(ext)s")
	}
	if job.Settings.RefuseLive {
		c.BreakMatchFilters(liveFilter)
	}
	if job.Settings.RateLimit > 0 {
		c.LimitRate(strconv.FormatInt(job.Settings.RateLimit, 10))
	}
	if err := applyOptions(c, job.Options); err != nil {
		return nil, err
	}
	return argv(cfg, feat, c, job.URL), nil
}

// audioFormatSelector prefers a stream already in the target codec, so
// yt-dlp can skip re-encoding.
var audioFormatSelector = map[AudioFormat]string{
	AudioMP3:  "ba[acodec^=mp3]/ba/b",
	AudioM4A:  "ba[acodec^=mp4a]/ba[acodec^=aac]/ba/b",
	AudioOpus: "ba[acodec^=opus]/ba/b",
	AudioFLAC: "ba[acodec^=flac]/ba/b",
}

// compatibleSelector picks H.264 (avc1) video with AAC (mp4a) audio, as
// separate streams or one, before anything else.
const compatibleSelector = "bv*[vcodec^=avc1]+ba[acodec^=mp4a]/b[vcodec^=avc1][acodec^=mp4a]/bv*[vcodec^=avc1]+ba/bv*+ba/b"

// compatibleHeight is the height the compatible preset prefers at most.
const compatibleHeight = 1080

// applyOptions maps the allow-listed options to flags.
func applyOptions(c *goytdlp.Command, o Options) error {
	preset := o.Preset
	if preset == "" {
		preset = PresetCompatible
	}
	switch {
	case preset == PresetAudio:
		sel := "ba/b"
		if o.AudioFormat != "" {
			sel = audioFormatSelector[o.AudioFormat]
		}
		c.Format(sel).ExtractAudio()
		if o.AudioFormat != "" {
			c.AudioFormat(string(o.AudioFormat))
		}
		// Lossless flac has no quality setting; a platform default must not
		// turn into an error for it.
		if o.AudioQuality != "" && o.AudioFormat != AudioFLAC {
			q, err := o.AudioQuality.arg()
			if err != nil {
				return err
			}
			c.AudioQuality(q)
		}
	case preset == PresetCompatible:
		// H.264 video and AAC audio merged into mp4, up to 1080p (YouTube's
		// H.264 ceiling): what a browser's <video> and ordinary devices
		// play. Only a source without H.264 falls back to its best.
		c.Format(compatibleSelector).FormatSort("res:" + strconv.Itoa(compatibleHeight)).MergeOutputFormat("mp4")
	case preset == PresetBest:
		c.Format("bv*+ba/b").MergeOutputFormat("mp4/mkv")
	case preset.height() > 0:
		// -S res:N prefers the largest resolution up to N and, when nothing
		// is that small, the smallest above it: never a failed download for
		// lack of an exact match.
		c.Format("bv*+ba/b").FormatSort("res:" + strconv.Itoa(preset.height())).MergeOutputFormat("mp4/mkv")
	default:
		return errors.New("ytdlp: unknown preset " + strconv.Quote(string(preset)))
	}
	if s := o.Subtitles; s != nil && len(s.Languages) > 0 {
		c.WriteSubs().SubLangs(strings.Join(s.Languages, ","))
		if s.Auto {
			c.WriteAutoSubs()
		}
		if s.Embed {
			c.EmbedSubs()
		}
	}
	if o.EmbedThumbnail {
		c.EmbedThumbnail()
	}
	if o.EmbedMetadata {
		c.EmbedMetadata()
	}
	if o.EmbedChapters {
		c.EmbedChapters()
	}
	if len(o.SponsorBlockRemove) > 0 {
		c.SponsorblockRemove(strings.Join(o.SponsorBlockRemove, ","))
	}
	return nil
}
