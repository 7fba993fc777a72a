package match_test

import (
	"path/filepath"
	"testing"

	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/match"
	"github.com/downlink/downlink/api/internal/spotify/search"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
)

// The two songs of the fixture README's "matcher cases" table, as spotDL's
// tests feed them in.
var (
	nobodyElse = spotify.Track{
		ID: "0kx3ml8bdAYrQtcIwvkhp8", Name: "Nobody Else", Artists: []string{"Abstrakt"}, Album: "Nobody Else",
		AlbumArtist: "Abstrakt", TrackNumber: 1, TrackTotal: 1, DiscNumber: 1, ReleaseDate: "2022-03-17",
		ISRC: "GB2LD2210007", DurationMs: 162406, Label: "NCS",
	}
	moments = spotify.Track{
		Name: "Moments", Artists: []string{"Lost Identities", "Robbie Rosen"}, Album: "Moments",
		AlbumArtist: "Lost Identities", DurationMs: 220000, Label: "NCS",
	}
)

func watch(id string) string { return "https://www.youtube.com/watch?v=" + id }

func parse(t *testing.T, name string) []search.Candidate {
	t.Helper()
	b := spotifytest.ReadRecorded(t, name)
	parser := search.ParseYouTube
	if filepath.Dir(name) == "ytmusic" {
		parser = search.ParseYTMusic
	}
	c, err := parser(b, watch)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func logRanked(t *testing.T, ranked []match.Scored) {
	t.Helper()
	for i, s := range ranked {
		if i == 8 {
			break
		}
		t.Logf("%5.1f %s %-6s %q by %q/%v %.0fs %v", s.Score, s.VideoID, s.Kind, s.Title, s.Channel, s.Artists, s.DurationSeconds, s.Reasons)
	}
}

func TestFixtureCases(t *testing.T) {
	tests := []struct {
		name    string
		track   spotify.Track
		file    string
		want    string
		minBest float64
		// below must each score under the winner (and under the threshold
		// where marked).
		below      []string
		notConfent []string
	}{
		{
			name: "Nobody Else by ISRC", track: nobodyElse, file: "ytmusic/search_isrc_GB2LD2210007.json",
			want: "nfyk-V5CoIE", minBest: 95,
		},
		{
			name: "Nobody Else on YouTube: NCS upload with a translated title", track: nobodyElse,
			file: "youtube/search_abstrakt_nobody_else.json", want: "bNXMlIogpXc", minBest: 75,
			// lyric re-uploads, a remake, 1-hour loops, extended cut, another Abstrakt's song
			below:      []string{"UpcoY_7y7vQ", "bOZ_JX3bhyE", "yzwFxXRaRl8", "35lVNCz9HCA", "XoYM_wedOtA", "E6e3pksMe9w"},
			notConfent: []string{"G09RJIOL-ZI", "ASfrDD-t_Ng", "rzqGz52Pg3A", "l1OAS1Sopjg", "XoYM_wedOtA", "35lVNCz9HCA", "thWqTWOL_sw", "NmTC3IyZxOI"},
		},
		{
			name: "Moments on YouTube Music: the song", track: moments,
			file: "ytmusic/search_lost_identities_moments.json", want: "0h6XAAwX8II", minBest: 95,
			below:      []string{"fxhzvHrTO2k", "14CjyUYO8lE"},
			notConfent: []string{"wgpEmlJ3guA", "r51FxWfnbh0", "PVUe0rW8qkE"},
		},
		{
			name: "Moments on YouTube: the NCS upload", track: moments,
			file: "youtube/search_lost_identities_moments.json", want: "14CjyUYO8lE", minBest: 90,
			// acoustic (Topic and NCS re-upload), nightcore, 1-hour loop, AMVs, instrumental, remix, a 4:12 cut
			notConfent: []string{"wgpEmlJ3guA", "HzY18nRqBR0", "HyZxaF7Fq5c", "dTW3AsR8HIs", "HSk3bSIGolM",
				"3KKVLwCQiRs", "7s3vWtAY-jU", "SrUyStyAvt4", "OxdkwXn7RtI"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ranked := match.Rank(tt.track, parse(t, tt.file))
			logRanked(t, ranked)
			best := ranked[0]
			if best.VideoID != tt.want || best.Score < tt.minBest {
				t.Fatalf("best = %s (%.1f), want %s ≥ %.0f", best.VideoID, best.Score, tt.want, tt.minBest)
			}
			score := map[string]float64{}
			for _, s := range ranked {
				score[s.VideoID] = s.Score
			}
			for _, id := range tt.below {
				if s, ok := score[id]; !ok || s >= best.Score {
					t.Errorf("%s scored %.1f (present %v), not below the winner's %.1f", id, s, ok, best.Score)
				}
			}
			for _, id := range tt.notConfent {
				if s, ok := score[id]; !ok || s >= match.DefaultThreshold {
					t.Errorf("%s scored %.1f (present %v), want below the threshold %d", id, s, ok, match.DefaultThreshold)
				}
			}
		})
	}
}
