package ytdlp

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/proc"
)

// Bounds of the explicit metadata calls.
const (
	maxJSONOutput       = 64 << 20 // a big channel's flat playlist is a few MB
	defaultProbeTimeout = 2 * time.Minute
	defaultListTimeout  = 5 * time.Minute
)

// ErrOutputTooLarge is returned when yt-dlp's JSON exceeds what Downlink
// reads.
var ErrOutputTooLarge = errors.New("ytdlp: yt-dlp printed more JSON than allowed")

// Format is one downloadable format of a probed item.
type Format struct {
	ID         string
	Ext        string
	Resolution string // "1920x1080", "audio only", …
	Width      int
	Height     int
	FPS        float64
	VCodec     string // "none" for audio-only formats
	ACodec     string // "none" for video-only formats
	// FileSize is exact, or yt-dlp's estimate when FileSizeIsApprox; 0 when
	// unknown.
	FileSize         int64
	FileSizeIsApprox bool
	TBR              float64 // total bitrate, kbit/s
	Protocol         string  // "https", "m3u8_native", "http_dash_segments", …
	Note             string
}

// ProbeResult describes a URL without downloading it.
type ProbeResult struct {
	ID              string
	Title           string
	DurationSeconds float64
	Thumbnail       string
	Extractor       string
	WebpageURL      string
	Uploader        string
	// IsPlaylist is true for playlists, channels and albums; then
	// EntryCount counts their entries and Formats is empty.
	IsPlaylist bool
	EntryCount int
	Formats    []Format
	// IsLive is true for a live stream (yt-dlp's is_live).
	IsLive bool
}

// PlaylistEntry is one item of an expanded playlist.
type PlaylistEntry struct {
	Index           int // position in the playlist, from 1
	URL             string
	ID              string
	Title           string
	DurationSeconds float64
	// LiveStatus is yt-dlp's live_status when the listing gives it
	// ("is_live", "is_upcoming", "was_live", "not_live"; "" unknown).
	LiveStatus string
	// Timestamp is the entry's upload time when the listing gives it.
	Timestamp time.Time
}

// Playlist is a listed playlist.
type Playlist struct {
	ID      string
	Title   string
	Entries []PlaylistEntry
	// Skipped counts entries without a usable http(s) URL.
	Skipped int
}

// Probe asks yt-dlp about url (-J, --flat-playlist: a playlist is not
// expanded). It is for an explicit user request; a download job gets its
// metadata from its own run.
func (r *Runner) Probe(ctx context.Context, url string, s Settings) (*ProbeResult, error) {
	out, err := r.dumpJSON(ctx, url, s, "", defaultProbeTimeout)
	if err != nil {
		return nil, err
	}
	var d dump
	if err := json.Unmarshal(out, &d); err != nil {
		return nil, fmt.Errorf("ytdlp: probe output: %w", err)
	}
	p := &ProbeResult{
		ID: str(d.ID), Title: d.Title, Thumbnail: d.Thumbnail, Extractor: d.Extractor,
		WebpageURL: d.WebpageURL, Uploader: d.Uploader, IsLive: d.IsLive,
	}
	if v, ok := num(d.Duration); ok && v > 0 {
		p.DurationSeconds = v
	}
	if d.Type == "playlist" || d.Type == "multi_video" {
		p.IsPlaylist = true
		p.EntryCount = len(d.Entries)
		if n := int(count(d.PlaylistCount)); n > p.EntryCount {
			p.EntryCount = n
		}
		return p, nil
	}
	for _, f := range d.Formats {
		p.Formats = append(p.Formats, f.format())
	}
	return p, nil
}

// ListPlaylist lists the entries of a playlist URL (--flat-playlist -J),
// for expansion into one download per entry. items selects entries in
// yt-dlp's --playlist-items syntax ("" for all). A URL that is a single
// item lists as a playlist of one.
func (r *Runner) ListPlaylist(ctx context.Context, url, items string, s Settings) (*Playlist, error) {
	if items != "" {
		if err := validatePlaylistItems(items); err != nil {
			return nil, problem.Invalid("playlist_items", err.Error())
		}
	}
	out, err := r.dumpJSON(ctx, url, s, items, defaultListTimeout)
	if err != nil {
		return nil, err
	}
	var d dump
	if err := json.Unmarshal(out, &d); err != nil {
		return nil, fmt.Errorf("ytdlp: playlist output: %w", err)
	}
	pl := &Playlist{ID: str(d.ID), Title: d.Title}
	if d.Type != "playlist" && d.Type != "multi_video" {
		u := cmp.Or(d.WebpageURL, d.OriginalURL, url)
		pl.Entries = []PlaylistEntry{{Index: 1, URL: u, ID: str(d.ID), Title: d.Title, DurationSeconds: positive(d.Duration)}}
		return pl, nil
	}
	for i, e := range d.Entries {
		u := unsmuggle(cmp.Or(e.URL, e.WebpageURL))
		if checkURL(u) != nil {
			pl.Skipped++
			continue
		}
		// With --playlist-items, "requested_entries" holds the playlist
		// index of each listed entry, in order.
		idx := int(count(e.PlaylistIndex))
		if idx == 0 && len(d.RequestedEntries) == len(d.Entries) {
			idx = int(min(count(d.RequestedEntries[i]), math.MaxInt32))
		}
		if idx == 0 {
			idx = i + 1
		}
		pl.Entries = append(pl.Entries, PlaylistEntry{
			Index: idx, URL: u, ID: str(e.ID), Title: e.Title, DurationSeconds: positive(e.Duration),
			LiveStatus: e.LiveStatus, Timestamp: unixTime(e.Timestamp),
		})
	}
	return pl, nil
}

// dumpJSON runs yt-dlp -J --flat-playlist on url and returns stdout.
func (r *Runner) dumpJSON(ctx context.Context, url string, s Settings, items string, timeout time.Duration) ([]byte, error) {
	if err := checkURL(url); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("ytdlp: settings: %w", err)
	}
	bin, release, err := r.cfg.acquire()
	if err != nil {
		return nil, err
	}
	defer release()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	version := r.detectVersion(ctx, bin)
	feat := featuresFor(version)
	c := baseCommand(&r.cfg, feat, s).DumpSingleJSON().FlatPlaylist()
	if items != "" {
		c.YesPlaylist().PlaylistItems(items)
	} else if s.ListLimit > 0 {
		c.PlaylistItems("1:" + strconv.Itoa(s.ListLimit))
	}
	stdout := proc.NewHead(maxJSONOutput)
	stderr := newStderrCollector(r.cfg.Logger)
	fork, forkDone := r.forkServer(ctx, bin, version)
	defer forkDone()
	res, err := r.proc.Run(ctx, proc.Spec{Path: bin, Args: argv(&r.cfg, feat, c, url), Dir: os.TempDir(),
		Stdout: stdout, Stderr: stderr, Env: r.cfg.JSRuntime.env(), ForkServer: fork})
	if err != nil {
		return nil, notInstalled(err)
	}
	stderr.lines.Flush()
	switch {
	case res.Canceled:
		return nil, &ExitError{Code: res.ExitCode, Reason: ReasonCanceled, SafeMessage: safeMessages[ReasonCanceled],
			Stderr: stderr.ring.String(), cause: context.Cause(ctx)}
	case res.ExitCode != 0:
		return nil, classify(res.ExitCode, res.Signal, stderr.errorLines(), stderr.ring.String())
	case stdout.Overflowed():
		return nil, ErrOutputTooLarge
	}
	return stdout.Bytes(), nil
}

// dump is the part of yt-dlp's -J output Downlink reads. IDs and numbers
// are `any`: extractors are not consistent about their types.
type dump struct {
	Type             string       `json:"_type"`
	ID               any          `json:"id"`
	Title            string       `json:"title"`
	Duration         any          `json:"duration"`
	Thumbnail        string       `json:"thumbnail"`
	Extractor        string       `json:"extractor"`
	WebpageURL       string       `json:"webpage_url"`
	OriginalURL      string       `json:"original_url"`
	Uploader         string       `json:"uploader"`
	PlaylistCount    any          `json:"playlist_count"`
	IsLive           bool         `json:"is_live"`
	RequestedEntries []any        `json:"requested_entries"`
	Formats          []dumpFormat `json:"formats"`
	Entries          []dumpEntry  `json:"entries"`
}

type dumpEntry struct {
	ID            any    `json:"id"`
	URL           string `json:"url"`
	WebpageURL    string `json:"webpage_url"`
	Title         string `json:"title"`
	Duration      any    `json:"duration"`
	PlaylistIndex any    `json:"playlist_index"`
	LiveStatus    string `json:"live_status"`
	Timestamp     any    `json:"timestamp"`
}

type dumpFormat struct {
	FormatID       any    `json:"format_id"`
	Ext            string `json:"ext"`
	Resolution     string `json:"resolution"`
	Width          any    `json:"width"`
	Height         any    `json:"height"`
	FPS            any    `json:"fps"`
	VCodec         string `json:"vcodec"`
	ACodec         string `json:"acodec"`
	FileSize       any    `json:"filesize"`
	FileSizeApprox any    `json:"filesize_approx"`
	TBR            any    `json:"tbr"`
	FormatNote     string `json:"format_note"`
	Protocol       string `json:"protocol"`
}

func (f dumpFormat) format() Format {
	out := Format{
		ID: str(f.FormatID), Ext: f.Ext, Resolution: f.Resolution,
		Width: int(count(f.Width)), Height: int(count(f.Height)), FPS: positive(f.FPS),
		VCodec: f.VCodec, ACodec: f.ACodec, TBR: positive(f.TBR), Note: f.FormatNote, Protocol: f.Protocol,
	}
	if n := count(f.FileSize); n > 0 {
		out.FileSize = n
	} else if n := count(f.FileSizeApprox); n > 0 {
		out.FileSize, out.FileSizeIsApprox = n, true
	}
	return out
}

func positive(v any) float64 {
	if f, ok := num(v); ok && f > 0 {
		return f
	}
	return 0
}

// unsmuggle drops yt-dlp's internal "#__youtubedl_smuggle=…" fragment,
// which some extractors (RSS feeds among them) add to entry URLs: Downlink
// refuses such URLs on submission, and the entry's own URL suffices.
func unsmuggle(u string) string {
	if i := strings.Index(u, "#__youtubedl_smuggle"); i >= 0 {
		return u[:i]
	}
	return u
}

// unixTime reads yt-dlp's timestamp (seconds since the epoch; zero when
// absent or not a positive number).
func unixTime(v any) time.Time {
	if s := positive(v); s > 0 {
		return time.Unix(int64(s), 0).UTC()
	}
	return time.Time{}
}
