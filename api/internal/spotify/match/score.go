package match

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/search"
)

// Scored is a candidate with its score (0–100) and why.
type Scored struct {
	search.Candidate
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons"`
}

// versionWords mark a different recording of the same song. A candidate
// whose title (or album) has one the Spotify title lacks — or lacks one the
// Spotify title has — is most likely not the recording on Spotify.
var versionWords = []string{
	"remix", "rmx", "live", "cover", "acoustic", "unplugged", "slowed", "sped up", "speed up", "nightcore",
	"daycore", "instrumental", "karaoke", "8d", "reverb", "1 hour", "1 hours", "1h", "10 hours", "loop",
	"extended", "remake", "bass boosted", "mashup", "piano version", "orchestral", "a cappella", "acapella",
	"chipmunk", "amv", "amvs", "anime mv", "tiktok version",
}

const (
	versionPenalty = 0.6
	videoFactor    = 0.95
)

// Component weights. Songs (YouTube Music audio tracks, delivered by the
// label) are judged on title, credited artists, duration and album;
// videos on title, artists named in title or channel, duration, and who
// uploaded them.
var (
	songWeights  = weights{title: 0.40, artist: 0.25, duration: 0.30, album: 0.05}
	videoWeights = weights{title: 0.30, artist: 0.20, duration: 0.25, origin: 0.25}
)

type weights struct{ title, artist, duration, album, origin float64 }

// Rank scores every candidate against the track and returns them best
// first (ties keep the backends' order).
func Rank(t spotify.Track, cands []search.Candidate) []Scored {
	out := make([]Scored, 0, len(cands))
	for _, c := range cands {
		out = append(out, Score(t, c))
	}
	slices.SortStableFunc(out, func(a, b Scored) int { return cmp.Compare(b.Score, a.Score) })
	return out
}

// Score rates one candidate for a track.
func Score(t spotify.Track, c search.Candidate) Scored {
	s := Scored{Candidate: c}
	w := videoWeights
	if c.Kind == search.KindSong {
		w = songWeights
	}
	var sum, wsum float64
	part := func(weight, value float64, reason string) {
		if weight == 0 || math.IsNaN(value) {
			return
		}
		sum += weight * value
		wsum += weight
		if reason != "" {
			s.Reasons = append(s.Reasons, reason)
		}
	}

	origin, originReason := originScore(t, c)
	if c.Kind != search.KindSong {
		part(w.origin, origin, originReason)
	}

	artist := artistScore(t, c)
	if origin == 1 && c.TitleTranslated && !math.IsNaN(artist) {
		// The artist is usually named in the title, which YouTube has
		// machine-translated; the artist's or label's own channel vouches.
		artist = max(artist, 1)
	}
	part(w.artist, artist, fmt.Sprintf("artists %.0f%%", artist*100))

	if c.TitleTranslated {
		s.Reasons = append(s.Reasons, "title machine-translated by YouTube: not compared")
	} else {
		title := titleScore(t, c)
		part(w.title, title, fmt.Sprintf("title %.0f%%", title*100))
	}

	if c.Kind == search.KindSong && c.Album != "" && t.Album != "" {
		album := tokenSortRatio(normalize(t.Album), normalize(c.Album))
		part(w.album, album, fmt.Sprintf("album %.0f%%", album*100))
	}

	durFactor := 1.0
	if t.DurationMs > 0 && c.DurationSeconds > 0 {
		delta := math.Abs(c.DurationSeconds - float64(t.DurationMs)/1000)
		part(w.duration, durationScore(delta), fmt.Sprintf("duration off by %.1fs", delta))
		if delta > 30 {
			durFactor = 0.4
			s.Reasons = append(s.Reasons, "duration far off ×0.4")
		}
	}

	score := 0.0
	if wsum > 0 {
		score = sum / wsum * 100
	}
	if c.TitleTranslated {
		score *= 0.85 // no title evidence: never fully sure
	}
	if t.DurationMs == 0 || len(t.Artists) == 0 {
		score *= 0.9 // metadata without artists or duration
		s.Reasons = append(s.Reasons, "little Spotify metadata ×0.9")
	}
	score *= durFactor
	if artist == 0 {
		// Same title by someone else: a cover or another song. Videos
		// often leave the artist out, so they lose less.
		f := 0.6
		if c.Kind != search.KindSong {
			f = 0.8
		}
		score *= f
		s.Reasons = append(s.Reasons, fmt.Sprintf("no Spotify artist credited ×%.1f", f))
	}
	for _, word := range versionMismatches(t, c) {
		score *= versionPenalty
		s.Reasons = append(s.Reasons, fmt.Sprintf("%q differs from the Spotify title ×%.1f", word, versionPenalty))
	}
	if c.Kind != search.KindSong {
		// An audio track is the master itself; a video may carry an
		// intro, outro or sound effects.
		score *= videoFactor
		if isLyricUpload(c) && origin < 1 {
			score -= 3
			s.Reasons = append(s.Reasons, "lyric re-upload −3")
		}
	}
	// The backends' own relevance order breaks near-ties: up to 3 points.
	score *= 0.97
	if bonus := max(0, 3-0.5*float64(c.Rank)); bonus > 0 {
		score += bonus
		s.Reasons = append(s.Reasons, fmt.Sprintf("search rank %d +%.1f", c.Rank+1, bonus))
	}
	s.Score = math.Round(min(100, max(0, score))*10) / 10
	return s
}

// durationScore: within a couple of seconds is the same master; the
// score falls fast after that.
func durationScore(delta float64) float64 {
	switch {
	case delta <= 2:
		return 1
	case delta <= 4:
		return 0.9
	case delta <= 7:
		return 0.7
	case delta <= 12:
		return 0.45
	case delta <= 20:
		return 0.2
	default:
		return 0
	}
}

// titleScore compares core titles (artists, credits, brackets and
// descriptor tails removed), mixing word-order-free and subset-tolerant
// similarity so "Moments" vs "Moments Future Bass" is close but not equal.
func titleScore(t spotify.Track, c search.Candidate) float64 {
	artists := append(slices.Clone(t.Artists), c.Artists...)
	want := coreTitle(t.Name, t.Artists)
	got := coreTitle(c.Title, artists)
	if want == got {
		return 1
	}
	return 0.5*tokenSortRatio(want, got) + 0.5*tokenSetRatio(want, got)
}

// artistScore: for songs, how well YouTube Music's credits match Spotify's
// (recall weighs more than precision); for videos, which Spotify artists
// are named in the title or are the channel. The first artist counts most.
// NaN when Spotify gave no artists.
func artistScore(t spotify.Track, c search.Candidate) float64 {
	if len(t.Artists) == 0 {
		return math.NaN()
	}
	weight := func(i int) float64 {
		if i == 0 {
			return 0.6
		}
		return 0.4 / float64(len(t.Artists)-1)
	}
	if len(t.Artists) == 1 {
		weight = func(int) float64 { return 1 }
	}
	if c.Kind == search.KindSong && len(c.Artists) > 0 {
		var recall float64
		for i, a := range t.Artists {
			recall += weight(i) * bestNameMatch(a, c.Artists)
		}
		var precision float64
		for _, a := range c.Artists {
			precision += bestNameMatch(a, t.Artists)
		}
		precision /= float64(len(c.Artists))
		return 0.7*recall + 0.3*precision
	}
	text := normalize(c.Title + " " + strings.Join(c.Artists, " "))
	ch := channelName(c.Channel)
	var found float64
	for i, a := range t.Artists {
		na := normalize(a)
		if containsWords(text, na) || (ch != "" && jaroWinkler(na, ch) >= 0.92) {
			found += weight(i)
		}
	}
	return found
}

// bestNameMatch is how well name matches the closest of names (0 or a
// Jaro–Winkler above 0.85; lower means another artist).
func bestNameMatch(name string, names []string) float64 {
	n := normalize(name)
	best := 0.0
	for _, o := range names {
		if jw := jaroWinkler(n, normalize(o)); jw > best {
			best = jw
		}
	}
	if best < 0.85 {
		return 0
	}
	return best
}

// originScore: 1 for the artist's own channel (incl. "- Topic" and VEVO),
// the label's channel (name or acronym: "NCS" → NoCopyrightSounds) or a
// YouTube Music official video; 0.4 for other verified channels; 0 else.
func originScore(t spotify.Track, c search.Candidate) (float64, string) {
	if c.Source == search.SourceYTMusic && len(c.Artists) > 0 {
		return 1, "official video on YouTube Music"
	}
	ch := channelName(c.Channel)
	if ch != "" {
		for _, a := range t.Artists {
			if jaroWinkler(normalize(a), ch) >= 0.92 {
				return 1, "artist's channel"
			}
		}
		// Fan channels borrow label names ("NCS Lyrics"): only an exact
		// name, or a verified channel whose name or initials carry the
		// label, counts as the label's own.
		if label := normalize(t.Label); label != "" {
			if label == ch || (c.Verified && (label == acronym(c.Channel) || containsWords(ch, label))) {
				return 1, "label's channel"
			}
		}
	}
	if c.Verified {
		return 0.4, "verified channel"
	}
	return 0, "unknown uploader"
}

// versionMismatches lists version words on one side only.
func versionMismatches(t spotify.Track, c search.Candidate) []string {
	spot := normalize(t.Name)
	cand := normalize(c.Title)
	if c.Kind == search.KindSong {
		cand += " " + normalize(c.Album)
	} else {
		// Nightcore, AMV and "1 hour" channels say so in their name.
		cand += " " + normalize(c.Channel)
	}
	var out []string
	for _, w := range versionWords {
		inSpot, inCand := containsWords(spot, w), containsWords(cand, w)
		if inSpot != inCand {
			// An artist's own name ("Live", "Loop") is not a version.
			if inCand && containsWords(normalize(strings.Join(t.Artists, " ")), w) {
				continue
			}
			out = append(out, w)
		}
	}
	return out
}

func isLyricUpload(c search.Candidate) bool {
	n := normalize(c.Title)
	return containsWords(n, "lyrics") || containsWords(n, "lyric") || containsWords(n, "lyric video")
}
