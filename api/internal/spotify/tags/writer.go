package tags

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/proc"
)

// Errors Write returns (wrapped with %w).
var (
	ErrUnsupportedFormat = errors.New("tags: unsupported audio format")
	// ErrFFmpeg: ffmpeg failed; the wrapped text has its (bounded) stderr.
	ErrFFmpeg = errors.New("tags: ffmpeg failed")
)

// Config configures a Writer.
type Config struct {
	// FFmpegPath defaults to "ffmpeg" from PATH.
	FFmpegPath string
	// HTTPClient fetches cover art. Pass one whose transport goes through
	// the SSRF egress guard: cover URLs come from Spotify's answers.
	// Default: a plain client with a 30 s timeout.
	HTTPClient *http.Client
	// MaxCoverBytes bounds a cover download (default 10 MiB).
	MaxCoverBytes int64
	// Timeout bounds one ffmpeg run (default 2 min).
	Timeout time.Duration
	Logger  *slog.Logger
	// Proc starts ffmpeg as every child starts (default: proc's defaults).
	Proc *proc.Runner
}

// Writer writes tags into audio files.
type Writer struct {
	cfg Config
	hc  *http.Client
	log *slog.Logger
}

// New returns a Writer.
func New(cfg Config) *Writer {
	if cfg.FFmpegPath == "" {
		cfg.FFmpegPath = "ffmpeg"
	}
	if cfg.MaxCoverBytes <= 0 {
		cfg.MaxCoverBytes = 10 << 20
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.Proc == nil {
		cfg.Proc = proc.New(proc.Config{})
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Writer{cfg: cfg, hc: hc, log: log}
}

// Write replaces the tags of the audio file at path. A cover that cannot be
// fetched is logged and left out rather than failing the file.
func (w *Writer) Write(ctx context.Context, path string, t Tags) error {
	format, err := FormatOf(path)
	if err != nil {
		return err
	}
	dir, base := filepath.Dir(path), filepath.Base(path)
	work, err := os.MkdirTemp(dir, ".tagging-")
	if err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	defer os.RemoveAll(work)

	var cov *cover
	if t.CoverURL != "" {
		c, err := w.fetchCover(ctx, t.CoverURL)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			w.log.WarnContext(ctx, "cover art not embedded", "url", t.CoverURL, "err", err)
		} else {
			cov = c
		}
	}

	kv := t.metadata(format)
	if cov != nil && format == Opus {
		pic, err := pictureComment(*cov)
		if err != nil {
			w.log.WarnContext(ctx, "cover art unreadable, not embedded", "err", err)
			cov = nil
		} else {
			kv = append(kv, [2]string{"METADATA_BLOCK_PICTURE", pic})
		}
	}
	metaPath := filepath.Join(work, "meta.txt")
	if err := os.WriteFile(metaPath, []byte(ffmetadata(kv)), 0o600); err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	args := []string{"-hide_banner", "-nostdin", "-v", "error", "-y", "-i", path, "-i", metaPath}
	attach := cov != nil && format != Opus
	if attach {
		coverPath := filepath.Join(work, "cover"+cov.ext)
		if err := os.WriteFile(coverPath, cov.data, 0o600); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
		args = append(args, "-i", coverPath)
	}
	// Audio only from the download (its old cover and tags are dropped),
	// tags from the metadata file; Ogg keeps its comments on the stream.
	args = append(args, "-map", "0:a:0", "-map_metadata", "1", "-map_metadata:s:a:0", "-1", "-c:a", "copy")
	if format == Opus {
		args = append(args, "-map_metadata:s:a:0", "1:g")
	}
	if attach {
		args = append(args, "-map", "2:v:0", "-c:v", "copy", "-disposition:v:0", "attached_pic",
			"-metadata:s:v:0", "title=Album cover", "-metadata:s:v:0", "comment=Cover (front)")
	}
	if format == MP3 {
		args = append(args, "-id3v2_version", "4", "-write_id3v1", "0")
	}
	tmp := filepath.Join(work, base)
	args = append(args, "-f", format.muxer(), tmp)
	if err := w.ffmpeg(ctx, args); err != nil {
		return err
	}
	if format == M4A && t.ISRC != "" {
		// ffmpeg's MP4 muxer has no ISRC key: add iTunes' freeform
		// ----:com.apple.iTunes:ISRC atom ourselves.
		if err := addFreeformFile(tmp, "com.apple.iTunes", "ISRC", t.ISRC); err != nil {
			return fmt.Errorf("tags: ISRC atom: %w", err)
		}
	}
	if st, err := os.Stat(path); err == nil {
		_ = os.Chmod(tmp, st.Mode().Perm())
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("tags: replacing %s: %w", base, err)
	}
	return nil
}

// fetchCover downloads a JPEG or PNG cover.
func (w *Writer) fetchCover(ctx context.Context, url string) (*cover, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "image/jpeg, image/png")
	resp, err := w.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, w.cfg.MaxCoverBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > w.cfg.MaxCoverBytes {
		return nil, fmt.Errorf("cover larger than %d bytes", w.cfg.MaxCoverBytes)
	}
	// Trust the bytes, not the Content-Type header.
	switch http.DetectContentType(data) {
	case "image/jpeg":
		return &cover{data: data, mime: "image/jpeg", ext: ".jpg"}, nil
	case "image/png":
		return &cover{data: data, mime: "image/png", ext: ".png"}, nil
	}
	return nil, errors.New("cover is neither JPEG nor PNG")
}

const maxStderr = 4 << 10

func (w *Writer) ffmpeg(ctx context.Context, args []string) error {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	bin, err := proc.Lookup(w.cfg.FFmpegPath)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFFmpeg, err)
	}
	stderr := proc.NewHead(maxStderr)
	res, err := w.cfg.Proc.Run(ctx, proc.Spec{Path: bin, Args: args, Dir: os.TempDir(), Stderr: stderr})
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("tags: ffmpeg: %w", ctx.Err())
	case err != nil:
		return fmt.Errorf("%w: %w", ErrFFmpeg, err)
	case res.ExitCode != 0:
		return fmt.Errorf("%w: exit %d: %s", ErrFFmpeg, res.ExitCode, strings.TrimSpace(stderr.String()))
	}
	return nil
}
