package ytdlp

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Event is what a yt-dlp run reports: Started, Progress, Info or FilePath.
type Event interface{ isEvent() }

// Progress is a download or post-processing update.
type Progress struct {
	// Status is "downloading", "finished" or "error" while downloading; for
	// a post-processor "started", "processing" or "finished".
	Status string
	// PostProcessor names the running post-processor ("ExtractAudio",
	// "Merger", "MoveFiles", …); empty for download progress.
	PostProcessor   string
	DownloadedBytes int64
	// TotalBytes is 0 when unknown; TotalIsEstimate is true when yt-dlp only
	// estimated it (fragmented downloads such as HLS).
	TotalBytes      int64
	TotalIsEstimate bool
	// SpeedBps is bytes per second, 0 when unknown.
	SpeedBps int64
	// ETASeconds is -1 when unknown.
	ETASeconds int64
	// FragmentIndex and FragmentCount are set for fragmented downloads.
	FragmentIndex int
	FragmentCount int
	// FormatID is the format being downloaded. A merged download fetches
	// several formats one after another (e.g. "137" then "140"), each from
	// 0 bytes: a consumer sums the last update of each for the item.
	FormatID string
}

// IsPostProcessing reports whether p is a post-processor update.
func (p Progress) IsPostProcessing() bool { return p.PostProcessor != "" }

// Percent returns 0–100, or -1 when the total is unknown.
func (p Progress) Percent() float64 {
	if p.IsPostProcessing() || p.TotalBytes <= 0 {
		return -1
	}
	return math.Min(100, float64(p.DownloadedBytes)*100/float64(p.TotalBytes))
}

// Info describes the item being downloaded, printed once before the
// download starts.
type Info struct {
	ID              string
	DisplayID       string
	Title           string
	DurationSeconds float64 // 0 when unknown
	Thumbnail       string  // URL
	Extractor       string  // e.g. "youtube", "generic"
	ExtractorKey    string  // e.g. "Youtube", "Generic"
	WebpageURL      string
	Uploader        string
	PlaylistIndex   int // 0 when not in a playlist
	Ext             string
	FormatID        string
	// For the library's media-server layout: the upload date (YYYYMMDD),
	// the channel, and a song's artist, album, title and number.
	UploadDate  string
	Channel     string
	Artist      string
	Album       string
	Track       string
	TrackNumber int
}

// FilePath is a finished file, after yt-dlp moved it into Job.DoneDir.
type FilePath struct {
	Path string
}

// Started names the yt-dlp a run started: the first event of every run,
// so a download can record which yt-dlp made it.
type Started struct {
	Path string
	// Version is "" when it could not be told.
	Version string
}

func (Started) isEvent()  {}
func (Progress) isEvent() {}
func (Info) isEvent()     {}
func (FilePath) isEvent() {}

// maxLineLen bounds the lines ParseLine looks at; ours are far shorter.
const maxLineLen = 64 << 10

// ParseLine parses one line of yt-dlp's standard output. It returns false
// for lines that are not ours (yt-dlp's own messages) or are malformed; it
// never panics.
func ParseLine(line string) (Event, bool) {
	line = strings.TrimRight(line, "\r\n")
	if len(line) > maxLineLen {
		return nil, false
	}
	rest, ok := strings.CutPrefix(line, LinePrefix)
	if !ok {
		return nil, false
	}
	kind, payload, ok := strings.Cut(rest, " ")
	if !ok {
		return nil, false
	}
	switch kind {
	case kindProgress:
		return parseProgress(payload, false)
	case kindPostProcess:
		return parseProgress(payload, true)
	case kindInfo:
		return parseInfo(payload)
	case kindFile:
		var p string
		if json.Unmarshal([]byte(payload), &p) != nil || p == "" {
			return nil, false
		}
		return FilePath{Path: p}, true
	}
	return nil, false
}

// decodeObject decodes the JSON object that starts payload, first turning
// Python's NaN and Infinity (which yt-dlp's JSON may contain) into null. It
// also returns the JSON values after the object, when they parse.
func decodeObject(payload string) (map[string]any, []any, bool) {
	m, rest, err := decodeValues(payload)
	if err != nil {
		if m, rest, err = decodeValues(nullNonFinite(payload)); err != nil {
			return nil, nil, false
		}
	}
	return m, rest, m != nil
}

func decodeValues(payload string) (map[string]any, []any, error) {
	dec := json.NewDecoder(strings.NewReader(payload))
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, nil, err
	}
	var rest []any
	for len(rest) < 4 {
		var v any
		if dec.Decode(&v) != nil {
			break
		}
		rest = append(rest, v)
	}
	return m, rest, nil
}

// nullNonFinite replaces NaN, Infinity and -Infinity outside strings with
// null.
func nullNonFinite(s string) string {
	var b strings.Builder
	inString, escaped := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inString {
			b.WriteByte(c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			b.WriteByte(c)
			continue
		}
		matched := false
		for _, tok := range []string{"-Infinity", "Infinity", "NaN"} {
			if strings.HasPrefix(s[i:], tok) {
				b.WriteString("null")
				i += len(tok) - 1
				matched = true
				break
			}
		}
		if !matched {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func parseProgress(payload string, post bool) (Event, bool) {
	m, rest, ok := decodeObject(payload)
	if !ok {
		return nil, false
	}
	p := Progress{Status: str(m["status"]), ETASeconds: -1}
	if p.Status == "" {
		return nil, false
	}
	if post {
		p.PostProcessor = str(m["postprocessor"])
		if p.PostProcessor == "" {
			p.PostProcessor = "unknown"
		}
		return p, true
	}
	p.DownloadedBytes = count(m["downloaded_bytes"])
	if t := count(m["total_bytes"]); t > 0 {
		p.TotalBytes = t
	} else if t := count(m["total_bytes_estimate"]); t > 0 {
		p.TotalBytes, p.TotalIsEstimate = t, true
	}
	p.SpeedBps = count(m["speed"])
	if eta, ok := num(m["eta"]); ok && eta >= 0 {
		p.ETASeconds = clampInt64(eta)
	}
	p.FragmentIndex = int(min(count(m["fragment_index"]), math.MaxInt32))
	p.FragmentCount = int(min(count(m["fragment_count"]), math.MaxInt32))
	if len(rest) > 0 {
		p.FormatID = str(rest[0])
	}
	return p, true
}

func parseInfo(payload string) (Event, bool) {
	m, _, ok := decodeObject(payload)
	if !ok {
		return nil, false
	}
	info := Info{
		ID:           str(m["id"]),
		DisplayID:    str(m["display_id"]),
		Title:        str(m["title"]),
		Thumbnail:    str(m["thumbnail"]),
		Extractor:    str(m["extractor"]),
		ExtractorKey: str(m["extractor_key"]),
		WebpageURL:   str(m["webpage_url"]),
		Uploader:     str(m["uploader"]),
		Ext:          str(m["ext"]),
		FormatID:     str(m["format_id"]),
		UploadDate:   str(m["upload_date"]),
		Channel:      str(m["channel"]),
		Artist:       str(m["artist"]),
		Album:        str(m["album"]),
		Track:        str(m["track"]),
	}
	info.TrackNumber = int(min(count(m["track_number"]), 9999))
	if d, ok := num(m["duration"]); ok && d > 0 {
		info.DurationSeconds = d
	}
	info.PlaylistIndex = int(min(count(m["playlist_index"]), math.MaxInt32))
	return info, true
}

// str returns a JSON string or number as a string, "" for anything else.
func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// num returns a finite JSON number (or numeric string).
func num(v any) (float64, bool) {
	var f float64
	switch v := v.(type) {
	case float64:
		f = v
	case string:
		var err error
		if f, err = strconv.ParseFloat(v, 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// count returns a non-negative whole number, 0 when absent or invalid.
func count(v any) int64 {
	f, ok := num(v)
	if !ok || f <= 0 {
		return 0
	}
	return clampInt64(f)
}

func clampInt64(f float64) int64 {
	if f >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(f)
}
