// Package frames grabs a still from a video with ffmpeg, for files from
// sites that give no thumbnail, and reads the duration ffmpeg prints on
// the way (no ffprobe needed). ffmpeg starts through proc, as every child
// does (own group, guard, reduced environment, bounded output).
package frames

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/proc"
)

// Errors Grab returns (wrapped with %w).
var (
	// ErrNoVideo: the file has no video stream (or only a cover picture).
	ErrNoVideo = errors.New("frames: no video stream")
	// ErrFFmpeg: ffmpeg failed; the wrapped text has its (bounded) stderr.
	ErrFFmpeg = errors.New("frames: ffmpeg failed")
)

// Config configures a Grabber.
type Config struct {
	// FFmpegPath defaults to "ffmpeg" from PATH.
	FFmpegPath string
	// Timeout bounds one ffmpeg run (default 1 min).
	Timeout time.Duration
	// Width is the largest width of a still (default 640; never scaled up).
	Width int
	// Proc starts ffmpeg (default: proc's defaults).
	Proc *proc.Runner
}

// Grabber grabs stills.
type Grabber struct{ cfg Config }

// New returns a Grabber.
func New(cfg Config) *Grabber {
	if cfg.FFmpegPath == "" {
		cfg.FFmpegPath = "ffmpeg"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	if cfg.Width <= 0 {
		cfg.Width = 640
	}
	if cfg.Proc == nil {
		cfg.Proc = proc.New(proc.Config{})
	}
	return &Grabber{cfg: cfg}
}

// Still is what Grab made.
type Still struct {
	// DurationSeconds is the media's duration as ffmpeg reads it (0:
	// unknown, e.g. a live recording without one).
	DurationSeconds float64
}

// Grab writes a JPEG still of the video at src to dst, taken at about a
// tenth of its duration (the first frame when the duration is unknown or
// the seek lands past the end).
func (g *Grabber) Grab(ctx context.Context, src, dst string) (Still, error) {
	// "file:" keeps a name from being read as another protocol or option.
	in := "file:" + src
	stderr, _, err := g.run(ctx, []string{"-hide_banner", "-nostdin", "-i", in})
	if err != nil {
		return Still{}, err
	}
	info := parseInfo(stderr)
	if !info.video {
		return Still{}, ErrNoVideo
	}
	st := Still{DurationSeconds: info.duration}
	at := info.duration / 10
	for _, seek := range []float64{at, 0} {
		_ = os.Remove(dst)
		args := []string{"-hide_banner", "-nostdin", "-v", "error", "-y"}
		if seek > 0 {
			args = append(args, "-ss", strconv.FormatFloat(seek, 'f', 3, 64))
		}
		args = append(args, "-i", in, "-map", "0:V:0", "-frames:v", "1",
			"-vf", fmt.Sprintf("scale='min(%d,iw)':-2", g.cfg.Width),
			"-q:v", "4", "-f", "image2", "-c:v", "mjpeg", "file:"+dst)
		msg, code, err := g.run(ctx, args)
		if err != nil {
			return Still{}, err
		}
		if code != 0 {
			return Still{}, fmt.Errorf("%w: exit %d: %s", ErrFFmpeg, code, strings.TrimSpace(msg))
		}
		if fi, err := os.Stat(dst); err == nil && fi.Size() > 0 {
			return st, nil
		}
		if seek == 0 {
			break
		}
	}
	return Still{}, fmt.Errorf("%w: no frame decoded", ErrFFmpeg)
}

const maxStderr = 16 << 10

// run runs ffmpeg and returns its stderr and exit code.
func (g *Grabber) run(ctx context.Context, args []string) (string, int, error) {
	ctx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
	defer cancel()
	bin, err := proc.Lookup(g.cfg.FFmpegPath)
	if err != nil {
		return "", 0, fmt.Errorf("%w: %w", ErrFFmpeg, err)
	}
	stderr := proc.NewHead(maxStderr)
	res, err := g.cfg.Proc.Run(ctx, proc.Spec{Path: bin, Args: args, Dir: os.TempDir(), Stderr: stderr})
	switch {
	case ctx.Err() != nil:
		return "", 0, fmt.Errorf("frames: ffmpeg: %w", ctx.Err())
	case err != nil:
		return "", 0, fmt.Errorf("%w: %w", ErrFFmpeg, err)
	}
	return stderr.String(), res.ExitCode, nil
}

type info struct {
	duration float64
	video    bool
}

var (
	durationRe = regexp.MustCompile(`(?m)^\s*Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)`)
	videoRe    = regexp.MustCompile(`(?m)^\s*Stream #\d+:\d+.*: Video: .*$`)
)

// parseInfo reads what "ffmpeg -i" prints about its input: the duration
// and whether a real video stream (not an attached cover) is there.
func parseInfo(s string) info {
	var in info
	if m := durationRe.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		sec, _ := strconv.ParseFloat(m[3], 64)
		in.duration = float64(h*3600+mi*60) + sec
	}
	for _, line := range videoRe.FindAllString(s, -1) {
		if !strings.Contains(line, "(attached pic)") {
			in.video = true
		}
	}
	return in
}
