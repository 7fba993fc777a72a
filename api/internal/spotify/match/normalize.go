package match

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// accents are the combining diacritical marks (U+0300–U+036F): what NFD
// splits off é, ñ, ö, ą, ő…; golang.org/x/text removes them. Marks of other
// scripts (the Japanese voicing marks) are part of their letters and stay.
var accents = &unicode.RangeTable{R16: []unicode.Range16{{Lo: 0x0300, Hi: 0x036f, Stride: 1}}}

// letters are what NFD does not split but a person reads as plain Latin
// letters (ł, ø, ß, æ…), and the one symbol used as a letter in names.
var letters = map[rune]string{
	'æ': "ae", 'đ': "d", 'ð': "d", 'ı': "i", 'ł': "l", 'ø': "o", 'œ': "oe", 'ß': "ss", 'þ': "th",
	'$': "s", // Ke$ha
}

// normalize lowercases, folds accents, turns "&" into "and" and every
// other non-letter/digit into a space, and collapses spaces.
func normalize(s string) string {
	// A transform.Chain keeps state: one per call.
	plain, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(accents)), norm.NFC), strings.ToLower(s))
	if err != nil {
		plain = strings.ToLower(s)
	}
	var b strings.Builder
	for _, r := range plain {
		if f, ok := letters[r]; ok {
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
