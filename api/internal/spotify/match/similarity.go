package match

import (
	"slices"
	"strings"
)

// ratio is 1 - Levenshtein distance / longer length, on runes.
func ratio(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 && len(rb) == 0 {
		return 1
	}
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return 1 - float64(prev[len(rb)])/float64(max(len(ra), len(rb)))
}

// tokenSortRatio compares the sorted words of a and b (word order ignored).
func tokenSortRatio(a, b string) float64 {
	return ratio(sortedWords(strings.Fields(a)), sortedWords(strings.Fields(b)))
}

// tokenSetRatio is high when one side's words are (nearly) a subset of the
// other's, like fuzzywuzzy's token_set_ratio: it compares the shared words
// against each side's shared-plus-own words and keeps the best.
func tokenSetRatio(a, b string) float64 {
	wa, wb := set(strings.Fields(a)), set(strings.Fields(b))
	var inter, onlyA, onlyB []string
	for w := range wa {
		if wb[w] {
			inter = append(inter, w)
		} else {
			onlyA = append(onlyA, w)
		}
	}
	for w := range wb {
		if !wa[w] {
			onlyB = append(onlyB, w)
		}
	}
	s := sortedWords(inter)
	sa := strings.TrimSpace(s + " " + sortedWords(onlyA))
	sb := strings.TrimSpace(s + " " + sortedWords(onlyB))
	best := ratio(sa, sb)
	if s != "" {
		best = max(best, ratio(s, sa), ratio(s, sb))
	}
	return best
}

// jaroWinkler is the Jaro–Winkler similarity (prefix scale 0.1, up to 4
// runes): forgiving of small typos in short names.
func jaroWinkler(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 && len(rb) == 0 {
		return 1
	}
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	window := max(len(ra), len(rb))/2 - 1
	window = max(window, 0)
	ma, mb := make([]bool, len(ra)), make([]bool, len(rb))
	matches := 0
	for i := range ra {
		lo, hi := max(0, i-window), min(len(rb)-1, i+window)
		for j := lo; j <= hi; j++ {
			if !mb[j] && ra[i] == rb[j] {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transpositions, k := 0, 0
	for i := range ra {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if ra[i] != rb[k] {
			transpositions++
		}
		k++
	}
	m := float64(matches)
	jaro := (m/float64(len(ra)) + m/float64(len(rb)) + (m-float64(transpositions)/2)/m) / 3
	prefix := 0
	for i := 0; i < min(4, len(ra), len(rb)) && ra[i] == rb[i]; i++ {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

func set(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

func sortedWords(ws []string) string {
	c := slices.Clone(ws)
	slices.Sort(c)
	return strings.Join(c, " ")
}
