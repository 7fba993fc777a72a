package searchtest

import (
	"encoding/json"
	"fmt"

	"github.com/downlink/downlink/api/internal/spotify/search"
)

func text(s string) map[string]any { return map[string]any{"runs": []any{map[string]any{"text": s}}} }

func duration(sec float64) string {
	s := int(sec + 0.5)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func browseRun(textValue, pageType string) map[string]any {
	return map[string]any{"text": textValue, "navigationEndpoint": map[string]any{"browseEndpoint": map[string]any{
		"browseId":                              "UC" + textValue,
		"browseEndpointContextSupportedConfigs": map[string]any{"browseEndpointContextMusicConfig": map[string]any{"pageType": pageType}},
	}}}
}

// renderYTMusic renders candidates as one WEB_REMIX shelf, the first
// TopResult one as the top card, in the shape of the recorded answers.
func renderYTMusic(cands []search.Candidate) []byte {
	var sections []any
	var rows []any
	for _, c := range cands {
		vt := "MUSIC_VIDEO_TYPE_UGC"
		if c.Kind == search.KindSong {
			vt = "MUSIC_VIDEO_TYPE_ATV"
		} else if len(c.Artists) > 0 {
			vt = "MUSIC_VIDEO_TYPE_OMV"
		}
		title := map[string]any{"runs": []any{map[string]any{"text": c.Title, "navigationEndpoint": map[string]any{
			"watchEndpoint": map[string]any{"videoId": c.VideoID, "watchEndpointMusicSupportedConfigs": map[string]any{
				"watchEndpointMusicConfig": map[string]any{"musicVideoType": vt}}}}}}}
		var sub []any
		for i, a := range c.Artists {
			if i > 0 {
				sub = append(sub, map[string]any{"text": " & "})
			}
			sub = append(sub, browseRun(a, "MUSIC_PAGE_TYPE_ARTIST"))
		}
		if len(c.Artists) == 0 && c.Channel != "" {
			sub = append(sub, browseRun(c.Channel, "MUSIC_PAGE_TYPE_USER_CHANNEL"))
		}
		if c.Album != "" {
			sub = append(sub, map[string]any{"text": " • "}, browseRun(c.Album, "MUSIC_PAGE_TYPE_ALBUM"))
		}
		sub = append(sub, map[string]any{"text": " • "}, map[string]any{"text": duration(c.DurationSeconds)})
		if c.TopResult {
			label := "Song"
			if c.Kind == search.KindVideo {
				label = "Video"
			}
			cardSub := append([]any{map[string]any{"text": label}, map[string]any{"text": " • "}}, sub...)
			sections = append(sections, map[string]any{"musicCardShelfRenderer": map[string]any{
				"title": title, "subtitle": map[string]any{"runs": cardSub},
			}})
			continue
		}
		rows = append(rows, map[string]any{"musicResponsiveListItemRenderer": map[string]any{
			"flexColumns": []any{
				map[string]any{"musicResponsiveListItemFlexColumnRenderer": map[string]any{"text": title}},
				map[string]any{"musicResponsiveListItemFlexColumnRenderer": map[string]any{"text": map[string]any{"runs": sub}}},
			},
			"playlistItemData": map[string]any{"videoId": c.VideoID},
		}})
	}
	if len(rows) > 0 {
		sections = append(sections, map[string]any{"musicShelfRenderer": map[string]any{"title": text("Songs"), "contents": rows}})
	}
	b, _ := json.Marshal(map[string]any{"contents": map[string]any{"tabbedSearchResultsRenderer": map[string]any{
		"tabs": []any{map[string]any{"tabRenderer": map[string]any{"content": map[string]any{
			"sectionListRenderer": map[string]any{"contents": sections}}}}}}}})
	return b
}

// renderYouTube renders candidates as WEB videoRenderers.
func renderYouTube(cands []search.Candidate) []byte {
	var items []any
	for _, c := range cands {
		v := map[string]any{
			"videoId": c.VideoID, "title": text(c.Title),
			"lengthText": map[string]any{"simpleText": duration(c.DurationSeconds)},
			"ownerText":  text(c.Channel),
		}
		if c.Verified {
			v["ownerBadges"] = []any{map[string]any{"metadataBadgeRenderer": map[string]any{"style": "BADGE_STYLE_TYPE_VERIFIED"}}}
		}
		items = append(items, map[string]any{"videoRenderer": v})
	}
	b, _ := json.Marshal(map[string]any{"contents": map[string]any{"twoColumnSearchResultsRenderer": map[string]any{
		"primaryContents": map[string]any{"sectionListRenderer": map[string]any{"contents": []any{
			map[string]any{"itemSectionRenderer": map[string]any{"contents": items}}}}}}}})
	return b
}
