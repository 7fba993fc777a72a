package ytdlp

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Bounds of a playlist_items value.
const (
	maxPlaylistItemsLen   = 256
	maxPlaylistItemsParts = 50
	maxPlaylistIndex      = 1_000_000
)

var (
	itemIndexRe = regexp.MustCompile(`^-?[0-9]+$`)
	itemRangeRe = regexp.MustCompile(`^([0-9]+)-([0-9]+)$`)
	itemSliceRe = regexp.MustCompile(`^(-?[0-9]+)?:(-?[0-9]+)?(?::(-?[0-9]+))?$`)
)

// validatePlaylistItems checks yt-dlp's --playlist-items syntax strictly: a
// comma-separated list of indices ("7", "-2" from the end), ranges
// ("1-3") and slices ("[START]:[STOP][:STEP]", e.g. "1:3", "-5::2").
// Index 0 does not exist (indices start at 1), a step is never 0, and
// anything else (spaces, letters, empty items) is refused.
func validatePlaylistItems(spec string) error {
	if len(spec) > maxPlaylistItemsLen {
		return fmt.Errorf("at most %d characters", maxPlaylistItemsLen)
	}
	parts := strings.Split(spec, ",")
	if len(parts) > maxPlaylistItemsParts {
		return fmt.Errorf("at most %d comma-separated items", maxPlaylistItemsParts)
	}
	for _, part := range parts {
		if err := validatePlaylistItem(part); err != nil {
			return fmt.Errorf("%q: %w", part, err)
		}
	}
	return nil
}

var errItemSyntax = errors.New(`use indices, ranges and slices such as "1-3,7,-2,10:20:2"`)

func validatePlaylistItem(part string) error {
	switch {
	case itemIndexRe.MatchString(part):
		_, err := parseIndex(part, false)
		return err
	case itemRangeRe.MatchString(part):
		m := itemRangeRe.FindStringSubmatch(part)
		start, err := parseIndex(m[1], false)
		if err != nil {
			return err
		}
		end, err := parseIndex(m[2], false)
		if err != nil {
			return err
		}
		if start > end {
			return errors.New("a range must not end before it starts")
		}
		return nil
	case itemSliceRe.MatchString(part):
		m := itemSliceRe.FindStringSubmatch(part)
		for i, s := range m[1:] {
			if s == "" {
				continue
			}
			if _, err := parseIndex(s, i == 2); err != nil {
				return err
			}
		}
		return nil
	default:
		return errItemSyntax
	}
}

// parseIndex parses a (possibly negative) index or step, never 0.
func parseIndex(s string, step bool) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n > maxPlaylistIndex || n < -maxPlaylistIndex {
		return 0, fmt.Errorf("numbers must be within ±%d", maxPlaylistIndex)
	}
	if n == 0 {
		if step {
			return 0, errors.New("a step must not be 0")
		}
		return 0, errors.New("playlist indices start at 1")
	}
	return n, nil
}
