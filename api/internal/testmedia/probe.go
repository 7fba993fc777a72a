package testmedia

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// MediaInfo is what ffprobe says about a file.
type MediaInfo struct {
	FormatName      string  // e.g. "mov,mp4,m4a,3gp,3g2,mj2"
	DurationSeconds float64 // container duration
	// Tags are the container's tags with keys lower-cased; Ogg keeps its
	// tags on the stream, so stream tags fill in what the container lacks.
	Tags    map[string]string
	Streams []StreamInfo
}

// StreamInfo is one stream of a probed file.
type StreamInfo struct {
	CodecType string // "video", "audio", "subtitle", …
	CodecName string // "h264", "aac", "mp3", "opus", "flac", "mjpeg", …
	Width     int
	Height    int
	// AttachedPic is true for an embedded cover image (a thumbnail).
	AttachedPic bool
}

// Codecs returns the codec names of the streams of one type, in order.
func (m MediaInfo) Codecs(codecType string) []string {
	var out []string
	for _, s := range m.Streams {
		if s.CodecType == codecType {
			out = append(out, s.CodecName)
		}
	}
	return out
}

// FFprobe runs ffprobe on path and fails the test when it cannot.
func FFprobe(tb testing.TB, path string) MediaInfo {
	tb.Helper()
	bin, err := exec.LookPath("ffprobe")
	if err != nil {
		tb.Fatalf("testmedia: ffprobe is required but was not found in PATH (install ffmpeg): %v", err)
	}
	out, err := exec.Command(bin, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path).Output()
	if err != nil {
		tb.Fatalf("testmedia: ffprobe %s: %v", path, err)
	}
	var raw struct {
		Format struct {
			FormatName string            `json:"format_name"`
			Duration   string            `json:"duration"`
			Tags       map[string]string `json:"tags"`
		} `json:"format"`
		Streams []struct {
			CodecType   string            `json:"codec_type"`
			CodecName   string            `json:"codec_name"`
			Width       int               `json:"width"`
			Height      int               `json:"height"`
			Disposition map[string]int    `json:"disposition"`
			Tags        map[string]string `json:"tags"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		tb.Fatalf("testmedia: ffprobe %s: decode: %v", path, err)
	}
	info := MediaInfo{FormatName: raw.Format.FormatName, Tags: map[string]string{}}
	info.DurationSeconds, _ = strconv.ParseFloat(raw.Format.Duration, 64)
	for k, v := range raw.Format.Tags {
		info.Tags[strings.ToLower(k)] = v
	}
	for _, s := range raw.Streams {
		for k, v := range s.Tags {
			if _, ok := info.Tags[strings.ToLower(k)]; !ok {
				info.Tags[strings.ToLower(k)] = v
			}
		}
		info.Streams = append(info.Streams, StreamInfo{
			CodecType: s.CodecType, CodecName: s.CodecName, Width: s.Width, Height: s.Height,
			AttachedPic: s.Disposition["attached_pic"] == 1,
		})
	}
	return info
}
