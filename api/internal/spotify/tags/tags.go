// Package tags writes Spotify's metadata and cover art into a downloaded
// audio file (mp3, m4a, opus, flac) with ffmpeg, replacing whatever tags the
// download carried. The file is rewritten to a temporary file beside it
// and renamed over the original, so a failure never leaves it half-tagged.
package tags

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/downlink/downlink/api/internal/spotify"
)

// Tags is what gets written.
type Tags struct {
	Title       string
	Artists     []string
	Album       string
	AlbumArtist string
	TrackNumber int
	TrackTotal  int
	DiscNumber  int
	DiscTotal   int
	// Date is Spotify's release date: "2022", "2022-03" or "2022-03-17".
	Date string
	ISRC string
	// CoverURL is downloaded through the Writer's HTTP client and embedded.
	CoverURL string
}

// FromTrack takes a Spotify track's tags.
func FromTrack(t spotify.Track) Tags {
	return Tags{
		Title: t.Name, Artists: t.Artists, Album: t.Album, AlbumArtist: t.AlbumArtist,
		TrackNumber: t.TrackNumber, TrackTotal: t.TrackTotal, DiscNumber: t.DiscNumber, DiscTotal: t.DiscTotal,
		Date: t.ReleaseDate, ISRC: t.ISRC, CoverURL: t.CoverURL,
	}
}

// Format is a supported container.
type Format string

// Supported formats.
const (
	MP3  Format = "mp3"
	M4A  Format = "m4a"
	Opus Format = "opus"
	FLAC Format = "flac"
)

// FormatOf tells the format from the file name.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".mp3":
		return MP3, nil
	case ".m4a", ".mp4", ".m4b":
		return M4A, nil
	case ".opus", ".ogg":
		return Opus, nil
	case ".flac":
		return FLAC, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnsupportedFormat, filepath.Ext(path))
}

// muxer is ffmpeg's -f for the format.
func (f Format) muxer() string {
	switch f {
	case M4A:
		return "ipod"
	case Opus:
		return "ogg"
	}
	return string(f)
}

// metadata returns the key/value pairs for ffmpeg's global metadata. ID3
// and MP4 take "n/total" track numbers; Vorbis comments take separate
// TRACKTOTAL/DISCTOTAL. ISRC: TSRC frame in ID3v2.4, ISRC comment in
// Vorbis; MP4 gets a freeform atom afterwards (see addFreeform).
func (t Tags) metadata(f Format) [][2]string {
	var kv [][2]string
	add := func(k, v string) {
		if v != "" {
			kv = append(kv, [2]string{k, v})
		}
	}
	add("title", t.Title)
	add("artist", strings.Join(t.Artists, ", "))
	add("album", t.Album)
	add("album_artist", t.AlbumArtist)
	add("date", t.Date)
	vorbis := f == Opus || f == FLAC
	num := func(key, totalKey string, n, total int) {
		if n <= 0 {
			return
		}
		if vorbis {
			add(key, strconv.Itoa(n))
			if total > 0 {
				add(totalKey, strconv.Itoa(total))
			}
			return
		}
		if total > 0 {
			add(key, fmt.Sprintf("%d/%d", n, total))
		} else {
			add(key, strconv.Itoa(n))
		}
	}
	num("track", "TRACKTOTAL", t.TrackNumber, t.TrackTotal)
	num("disc", "DISCTOTAL", t.DiscNumber, t.DiscTotal)
	switch f {
	case MP3:
		add("TSRC", t.ISRC)
	case Opus, FLAC:
		add("ISRC", t.ISRC)
	}
	return kv
}

// ffmetadata renders an FFMETADATA1 file; values are escaped as its
// format requires ('=', ';', '#', '\' and newlines).
func ffmetadata(kv [][2]string) string {
	esc := strings.NewReplacer(`\`, `\\`, "=", `\=`, ";", `\;`, "#", `\#`, "\n", "\\\n")
	var b strings.Builder
	b.WriteString(";FFMETADATA1\n")
	for _, p := range kv {
		b.WriteString(esc.Replace(p[0]) + "=" + esc.Replace(p[1]) + "\n")
	}
	return b.String()
}
