package match

import (
	"regexp"
	"strings"
	"unicode"
)

// fold maps accented Latin letters to their base letters (no x/text
// dependency for this one table); everything else passes through.
var fold = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ą': "a", 'ă': "a",
	'æ': "ae", 'ç': "c", 'ć': "c", 'č': "c", 'ď': "d", 'đ': "d", 'ð': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ę': "e", 'ě': "e", 'ė': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'į': "i", 'ı': "i",
	'ł': "l", 'ľ': "l", 'ñ': "n", 'ń': "n", 'ň': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o", 'ő': "o", 'œ': "oe",
	'ř': "r", 'ś': "s", 'š': "s", 'ş': "s", 'ș': "s", 'ß': "ss", 'ť': "t", 'ţ': "t", 'ț': "t", 'þ': "th",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ů': "u", 'ű': "u", 'ų': "u",
	'ý': "y", 'ÿ': "y", 'ź': "z", 'ż': "z", 'ž': "z",
	'$': "s", // Ke$ha
}

// normalize lowercases, folds accents, turns "&" into "and" and every
// other non-letter/digit into a space, and collapses spaces.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if f, ok := fold[r]; ok {
			b.WriteString(f)
			continue
		}
		switch {
		case r == '&':
			b.WriteString(" and ")
		case r == '\'' || r == '’' || r == '`':
			// "don't" and "dont" are the same word
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

var (
	// Bracketed parts: (…), […], {…}, 【…】, 「…」.
	bracketed = regexp.MustCompile(`\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|【[^】]*】|「[^」]*」`)
	// "feat. X", "ft. X", "featuring X" up to a bracket, dash or pipe.
	featuring = regexp.MustCompile(`(?i)(^|[\s(\[])(feat\.?|ft\.?|featuring)\s[^()\[\]|\-–—]*`)
	// Descriptor tails: "Title | Future Bass | NCS".
	pipeTail = regexp.MustCompile(`\s+\|{1,2}\s+.*$`)
)

// connectors are dropped from core titles on both sides: what is left of
// "Artist x Other - Title" once the artist names are gone.
var connectors = map[string]bool{"x": true, "and": true, "und": true, "feat": true, "ft": true,
	"featuring": true, "vs": true, "with": true, "by": true}

// coreTitle reduces a title to the words that name the song: descriptor
// tails, bracketed parts and "feat." credits go, then the given artist
// names, then connector words.
func coreTitle(title string, artists []string) string {
	t := pipeTail.ReplaceAllString(title, "")
	if strings.TrimSpace(t) == "" {
		t = title
	}
	for i := 0; i < 3; i++ { // nested brackets
		t = bracketed.ReplaceAllString(t, " ")
	}
	t = featuring.ReplaceAllString(t, " ")
	n := " " + normalize(t) + " "
	for _, a := range artists {
		if na := normalize(a); na != "" {
			n = strings.ReplaceAll(n, " "+na+" ", " ")
		}
	}
	var keep []string
	for _, w := range strings.Fields(n) {
		if !connectors[w] {
			keep = append(keep, w)
		}
	}
	if len(keep) == 0 {
		// The title was only an artist's name ("Moments" by Moments):
		// keep it rather than compare nothing.
		return normalize(bracketed.ReplaceAllString(title, " "))
	}
	return strings.Join(keep, " ")
}

// containsWords reports whether the normalized phrase occurs in the
// normalized text on word boundaries.
func containsWords(text, phrase string) bool {
	if phrase == "" {
		return false
	}
	return strings.Contains(" "+text+" ", " "+phrase+" ")
}

// acronym returns the initials of a name's words, splitting CamelCase too
// ("NoCopyrightSounds" → "ncs"), for matching a label to its channel.
func acronym(s string) string {
	var b strings.Builder
	prevLower := false
	newWord := true
	for _, r := range s {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			newWord = true
			prevLower = false
			continue
		case newWord || (unicode.IsUpper(r) && prevLower):
			b.WriteRune(unicode.ToLower(r))
		}
		newWord = false
		prevLower = unicode.IsLower(r)
	}
	return b.String()
}

// channelName strips the suffixes YouTube adds to artist channels.
func channelName(ch string) string {
	n := normalize(ch)
	for _, suf := range []string{" topic", " vevo", " official", " music", " official channel"} {
		n = strings.TrimSuffix(n, suf)
	}
	n = strings.TrimSuffix(n, "vevo")
	return strings.TrimSpace(n)
}
