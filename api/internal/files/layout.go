package files

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Library layouts.
const (
	// LayoutDefault files a download as <user>/<platform>/<title> [<tag>].<ext>.
	LayoutDefault = "default"
	// LayoutMediaServer files it the way Jellyfin, Kodi and Plex read a
	// library: video as <Channel>/Season <YYYY>/<YYYY-MM-DD> <title> [<id>].<ext>
	// with a Kodi .nfo and a thumbnail beside it, music as
	// <Artist>/<Album>/<NN> <title>.<ext> (both templates can be changed).
	LayoutMediaServer = "media_server"
)

// Default templates of the media-server layout.
const (
	DefaultVideoTemplate = "{channel}/Season {year}/{date} {title} [{id}]"
	DefaultMusicTemplate = "{artist}/{album}/{track_number} {title}"
)

// Layout is how downloads are filed in the library.
type Layout struct {
	Mode          string `json:"layout"`
	VideoTemplate string `json:"video_template"`
	MusicTemplate string `json:"music_template"`
}

// Meta is what the media-server layout names a download by, and writes
// into its .nfo.
type Meta struct {
	Title, Channel, ID, Plot string
	Artist, Album            string
	TrackNumber              int
	Aired                    time.Time // zero: unknown (the download's day is used)
	Platform                 string
	Audio                    bool
}

// templateFields are the fields a template may use.
var templateFields = map[string]bool{"channel": true, "year": true, "date": true, "title": true, "id": true,
	"artist": true, "album": true, "track_number": true, "platform": true}

var fieldRE = regexp.MustCompile(`\{([^{}]*)\}`)

// ErrTemplate is a template refused at save.
var ErrTemplate = errors.New("files: bad template")

// ValidateTemplate checks a layout template: folders separated by "/",
// fields from templateFields in braces, no empty, "." or ".." folder, no
// absolute path, no backslash — nothing that could name a place outside
// the user's library folder, whatever the fields hold (their values are
// sanitized as file names, so a field never adds a folder).
func ValidateTemplate(t string) error {
	if strings.TrimSpace(t) == "" {
		return fmt.Errorf("%w: empty", ErrTemplate)
	}
	if len(t) > 300 {
		return fmt.Errorf("%w: longer than 300 characters", ErrTemplate)
	}
	if strings.ContainsAny(t, "\\\x00") || strings.HasPrefix(t, "/") || strings.HasPrefix(t, "~") {
		return fmt.Errorf("%w: must be a relative path with / between folders", ErrTemplate)
	}
	for _, m := range fieldRE.FindAllStringSubmatch(t, -1) {
		if !templateFields[m[1]] {
			return fmt.Errorf("%w: unknown field {%s}", ErrTemplate, m[1])
		}
	}
	if strings.ContainsAny(fieldRE.ReplaceAllString(t, "x"), "{}") {
		return fmt.Errorf("%w: unbalanced braces", ErrTemplate)
	}
	for _, seg := range strings.Split(t, "/") {
		if s := strings.TrimSpace(seg); s == "" || s == "." || s == ".." {
			return fmt.Errorf("%w: no folder may be empty, a dot or two dots", ErrTemplate)
		}
	}
	if !filepath.IsLocal(filepath.FromSlash(t)) {
		return fmt.Errorf("%w: leaves the library", ErrTemplate)
	}
	return nil
}

// Place renders the layout's template for m: the folder (below the
// user's) and the file's base name. Each folder and the name are
// sanitized as file names are; unknown values become "Unknown …".
func (l Layout) Place(m Meta, now time.Time) (dir, base string, err error) {
	t := l.VideoTemplate
	if t == "" {
		t = DefaultVideoTemplate
	}
	if m.Audio {
		t = l.MusicTemplate
		if t == "" {
			t = DefaultMusicTemplate
		}
	}
	segs, err := render(t, m, now)
	if err != nil {
		return "", "", err
	}
	rel := path.Join(segs...)
	return path.Dir(rel), path.Base(rel), nil
}

// ShowDir is the folder (below the user's) of the show a video belongs to
// in the media-server layout, where its tvshow.nfo and poster go: the
// video template's folders up to the first that names the {channel},
// rendered as Place renders them. ok is false for music, and for a
// template none of whose folders names the channel (no folder is then the
// channel's own).
func (l Layout) ShowDir(m Meta, now time.Time) (dir string, ok bool) {
	if m.Audio {
		return "", false
	}
	t := l.VideoTemplate
	if t == "" {
		t = DefaultVideoTemplate
	}
	folders := strings.Split(t, "/")
	folders = folders[:len(folders)-1] // the last is the file's name
	for i, f := range folders {
		if strings.Contains(f, "{channel}") {
			segs, err := render(strings.Join(folders[:i+1], "/"), m, now)
			if err != nil {
				return "", false
			}
			return path.Join(segs...), true
		}
	}
	return "", false
}

// render fills template t's fields for m: one sanitized name per folder
// (and the file's name last).
func render(t string, m Meta, now time.Time) ([]string, error) {
	if err := ValidateTemplate(t); err != nil {
		return nil, err
	}
	aired := m.Aired
	if aired.IsZero() {
		aired = now
	}
	vals := map[string]string{
		"channel": orUnknown(m.Channel, "Unknown channel"), "year": aired.UTC().Format("2006"),
		"date": aired.UTC().Format("2006-01-02"), "title": orUnknown(m.Title, "Untitled"), "id": m.ID,
		"artist": orUnknown(firstSet(m.Artist, m.Channel), "Unknown artist"), "album": orUnknown(m.Album, "Unknown album"),
		"track_number": fmt.Sprintf("%02d", m.TrackNumber), "platform": m.Platform,
	}
	if m.ID == "" {
		vals["id"] = "none"
	}
	segs := strings.Split(t, "/")
	for i, seg := range segs {
		s := fieldRE.ReplaceAllStringFunc(seg, func(f string) string {
			// A value is one name: its slashes never make folders.
			return strings.NewReplacer("/", "-", "\\", "-").Replace(vals[f[1:len(f)-1]])
		})
		segs[i] = SanitizeName(strings.TrimSpace(s))
	}
	if !filepath.IsLocal(filepath.FromSlash(path.Join(segs...))) {
		return nil, fmt.Errorf("%w: leaves the library", ErrTemplate)
	}
	return segs, nil
}

func orUnknown(s, unknown string) string {
	if strings.TrimSpace(s) == "" {
		return unknown
	}
	return s
}

func firstSet(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// nfoEpisode is Kodi's episodedetails document (Jellyfin reads the same).
type nfoEpisode struct {
	XMLName  xml.Name   `xml:"episodedetails"`
	Title    string     `xml:"title"`
	Show     string     `xml:"showtitle,omitempty"`
	Plot     string     `xml:"plot,omitempty"`
	Aired    string     `xml:"aired,omitempty"`
	Premiere string     `xml:"premiered,omitempty"`
	Year     string     `xml:"year,omitempty"`
	Season   string     `xml:"season,omitempty"`
	Studio   string     `xml:"studio,omitempty"`
	UniqueID *nfoUnique `xml:"uniqueid,omitempty"`
	Thumb    *nfoThumb  `xml:"thumb,omitempty"`
}

type nfoUnique struct {
	Type    string `xml:"type,attr"`
	Default bool   `xml:"default,attr"`
	ID      string `xml:",chardata"`
}

type nfoThumb struct {
	Aspect string `xml:"aspect,attr"`
	URL    string `xml:",chardata"`
}

// NFO is the Kodi/Jellyfin .nfo of a video: title, plot, aired date,
// studio (the channel) and the platform's id.
func NFO(m Meta, now time.Time, thumb string) ([]byte, error) {
	aired := m.Aired
	if aired.IsZero() {
		aired = now
	}
	d := nfoEpisode{Title: orUnknown(m.Title, "Untitled"), Show: m.Channel, Plot: m.Plot,
		Aired: aired.UTC().Format("2006-01-02"), Premiere: aired.UTC().Format("2006-01-02"),
		Year: aired.UTC().Format("2006"), Season: aired.UTC().Format("2006"), Studio: m.Channel}
	if m.ID != "" {
		d.UniqueID = &nfoUnique{Type: orUnknown(m.Platform, "downlink"), Default: true, ID: m.ID}
	}
	if thumb != "" {
		d.Thumb = &nfoThumb{Aspect: "thumb", URL: thumb}
	}
	b, err := xml.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

// Names of a show folder's own files in the media-server layout.
const (
	ShowNFOName    = "tvshow.nfo"
	ShowPosterName = "poster.jpg"
)

// nfoShow is Kodi's tvshow document (Jellyfin reads the same), for the
// show folder.
type nfoShow struct {
	XMLName xml.Name  `xml:"tvshow"`
	Title   string    `xml:"title"`
	Show    string    `xml:"showtitle"`
	Studio  string    `xml:"studio,omitempty"`
	Tag     string    `xml:"tag,omitempty"`
	Thumb   *nfoThumb `xml:"thumb,omitempty"`
}

// ShowNFO is the tvshow.nfo of the show (the channel) m's video belongs
// to: its title and studio are the channel, its tag the platform, and
// poster (when not "") the poster image beside it.
func ShowNFO(m Meta, poster string) ([]byte, error) {
	ch := orUnknown(m.Channel, "Unknown channel")
	d := nfoShow{Title: ch, Show: ch, Studio: m.Channel, Tag: m.Platform}
	if poster != "" {
		d.Thumb = &nfoThumb{Aspect: "poster", URL: poster}
	}
	b, err := xml.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

// ImportAt moves src into the library as <user>/<dir>/<base><ext> (dir
// and base as Layout.Place made them), never replacing a registered file:
// a name taken by another file gets " (2)", " (3)", …; a file at the name
// that no row points at (what an interrupted completion left) is replaced.
// On failure nothing is left in the library.
func (s *Service) ImportAt(ctx context.Context, src string, userID uuid.UUID, dir, base, ext string) (Imported, error) {
	st, err := os.Stat(src)
	if err != nil {
		return Imported{}, err
	}
	full := path.Join(userID.String(), dir)
	if !strings.HasPrefix(full, userID.String()+"/") || !filepath.IsLocal(filepath.FromSlash(full)) {
		return Imported{}, fmt.Errorf("%w: leaves the library", ErrTemplate)
	}
	base = SanitizeName(base)
	ext = SanitizeExt(ext)
	return s.putFree(ctx, src, st.Size(), full, func(i int) string {
		if i == 0 {
			return base + ext
		}
		return base + " (" + strconv.Itoa(i+1) + ")" + ext
	})
}
