package match

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 0.01 }

func TestSimilarity(t *testing.T) {
	tests := []struct {
		name string
		fn   func(a, b string) float64
		a, b string
		want float64
	}{
		{"ratio equal", ratio, "moments", "moments", 1},
		{"ratio empty", ratio, "", "x", 0},
		{"ratio one edit", ratio, "kitten", "sitten", 5.0 / 6},
		{"sort ignores order", tokenSortRatio, "nobody else", "else nobody", 1},
		{"set subset", tokenSetRatio, "moments", "moments acoustic version", 1},
		{"set disjoint", tokenSetRatio, "abc", "xyz", 0},
		{"jw classic", jaroWinkler, "martha", "marhta", 0.961},
		{"jw dixon", jaroWinkler, "dixon", "dicksonx", 0.813},
		{"jw empty", jaroWinkler, "", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn(tt.a, tt.b); !near(got, tt.want) {
				t.Errorf("got %.3f, want %.3f", got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := map[string]string{
		"Beyoncé & JAY-Z":          "beyonce and jay z",
		"Don't Stop Me Now":        "dont stop me now",
		"Ke$ha":                    "kesha",
		"  Motörhead  —  Ace  ":    "motorhead ace",
		"Sigur Rós – Hoppípolla":   "sigur ros hoppipolla",
		"Łódź Straße":              "lodz strasse",
		"Ærø Œuvre Þór Đorđe":      "aero oeuvre thor dorde",
		"Ångström Čeština Ñandú":   "angstrom cestina nandu",
		"がっこう":                     "がっこう", // Japanese voicing marks are not accents
		"ABSTRAKT - NOBODY ELSE!!": "abstrakt nobody else",
	}
	for in, want := range tests {
		if got := normalize(in); got != want {
			t.Errorf("normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCoreTitle(t *testing.T) {
	artists := []string{"Lost Identities", "Robbie Rosen"}
	tests := map[string]string{
		"Lost Identities x Robbie Rosen - Moments | Future Bass | NCS - Copyright Free Music": "moments",
		"Lost Identities - Moments (Lyrics) feat. Robbie Rosen":                               "moments",
		"Moments (feat. Robbie Rosen) [NCS Release]":                                          "moments",
		"Robbie Rosen FT Lost Identities - Moments":                                           "moments",
		"Lost Identities": "lost identities",
		"Love & War":      "love war",
	}
	for in, want := range tests {
		if got := coreTitle(in, artists); got != want {
			t.Errorf("coreTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAcronymAndChannel(t *testing.T) {
	for in, want := range map[string]string{"NoCopyrightSounds": "ncs", "Monstercat Uncaged": "mu", "Trap Nation": "tn"} {
		if got := acronym(in); got != want {
			t.Errorf("acronym(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"Lost Identities - Topic": "lost identities", "TaylorSwiftVEVO": "taylorswift", "Abstrakt Official": "abstrakt"} {
		if got := channelName(in); got != want {
			t.Errorf("channelName(%q) = %q, want %q", in, got, want)
		}
	}
}
