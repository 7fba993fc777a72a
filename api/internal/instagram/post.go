package instagram

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Kind is what one item of a post is.
type Kind string

// Item kinds.
const (
	KindPhoto Kind = "photo"
	KindVideo Kind = "video"
)

// Instagram's media_type values.
const (
	mediaPhoto    = 1
	mediaVideo    = 2
	mediaCarousel = 8
)

// Post is one post (a photo, a video, or a carousel of them) as Downlink
// downloads it: every item in order, each at its best resolution.
type Post struct {
	Shortcode string
	// ID is the media pk.
	ID       string
	Username string
	FullName string
	Caption  string
	TakenAt  time.Time
	Items    []Item
}

// Item is one photo or video of a post.
type Item struct {
	// Index is the 1-based position in the post.
	Index int
	Kind  Kind
	// URL is the full-resolution image, or the best progressive video.
	URL           string
	Width, Height int
	// Duration is a video's length in seconds (0 for photos).
	Duration float64
	// Thumbnail is the item's largest image (a video's cover).
	Thumbnail string
}

// Title names a post as yt-dlp does: "Post by <user>" for a carousel,
// "Photo by" or "Video by" for a single item.
func (p *Post) Title() string {
	who := p.Username
	if who == "" {
		who = p.FullName
	}
	switch {
	case len(p.Items) == 1 && p.Items[0].Kind == KindPhoto:
		return "Photo by " + who
	case len(p.Items) == 1:
		return "Video by " + who
	}
	return "Post by " + who
}

// Counts returns how many photos and videos the post has.
func (p *Post) Counts() (photos, videos int) {
	for _, it := range p.Items {
		if it.Kind == KindPhoto {
			photos++
		} else {
			videos++
		}
	}
	return photos, videos
}

// wireMedia is a media object as the web API answers it — from
// /api/v1/media/{pk}/info/ (items[0]) and from the logged-out GraphQL query
// (data.xig_polaris_media.if_not_gated_logged_out) alike, as yt-dlp's and
// gallery-dl's extractors read it. A carousel (media_type 8) holds its
// items in carousel_media, each with video_versions (a video) or only
// image_versions2 (a photo).
type wireMedia struct {
	PK                json.Number `json:"pk"`
	ID                string      `json:"id"`
	Code              string      `json:"code"`
	MediaType         int         `json:"media_type"`
	OriginalMediaType int         `json:"original_media_type"`
	TakenAt           int64       `json:"taken_at"`
	Caption           *struct {
		Text string `json:"text"`
	} `json:"caption"`
	User *struct {
		PK       json.Number `json:"pk"`
		Username string      `json:"username"`
		FullName string      `json:"full_name"`
	} `json:"user"`
	ImageVersions2 *struct {
		Candidates []wireImage `json:"candidates"`
	} `json:"image_versions2"`
	VideoVersions  []wireVideo  `json:"video_versions"`
	VideoDuration  float64      `json:"video_duration"`
	OriginalWidth  int          `json:"original_width"`
	OriginalHeight int          `json:"original_height"`
	CarouselMedia  []*wireMedia `json:"carousel_media"`
}

type wireImage struct {
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

type wireVideo struct {
	URL    string          `json:"url"`
	Width  int             `json:"width"`
	Height int             `json:"height"`
	Type   int             `json:"type"`
	ID     json.RawMessage `json:"id"`
}

// parseMedia turns a media object into a Post. Items with no usable URL
// stay in the list with an empty URL, so the post still counts them and
// their failure can be named.
func parseMedia(m *wireMedia, shortcode string) (*Post, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: no media object", ErrShapeChanged)
	}
	p := &Post{Shortcode: shortcode, ID: m.PK.String()}
	if m.Code != "" {
		p.Shortcode = m.Code
	}
	if m.User != nil {
		p.Username, p.FullName = m.User.Username, m.User.FullName
	}
	if m.Caption != nil {
		p.Caption = m.Caption.Text
	}
	if m.TakenAt > 0 {
		p.TakenAt = time.Unix(m.TakenAt, 0).UTC()
	}
	items := []*wireMedia{m}
	if m.MediaType == mediaCarousel || len(m.CarouselMedia) > 0 {
		items = m.CarouselMedia
		if len(items) == 0 {
			return nil, fmt.Errorf("%w: a carousel (media_type 8) without carousel_media", ErrShapeChanged)
		}
	}
	for i, w := range items {
		if w == nil {
			p.Items = append(p.Items, Item{Index: i + 1, Kind: KindPhoto})
			continue
		}
		p.Items = append(p.Items, parseItem(w, i+1))
	}
	return p, nil
}

// parseItem picks an item's best media: the largest video_versions entry
// for a video, the largest image_versions2 candidate for a photo. A photo
// Instagram turned into a video with music (original_media_type 1) is
// taken as the photo it was, as gallery-dl does.
func parseItem(w *wireMedia, index int) Item {
	it := Item{Index: index, Kind: KindPhoto}
	var best wireImage
	if w.ImageVersions2 != nil {
		for _, c := range w.ImageVersions2.Candidates {
			if c.URL != "" && (best.URL == "" || c.Width*c.Height > best.Width*best.Height) {
				best = c
			}
		}
	}
	it.Thumbnail = best.URL
	staticWithMusic := w.OriginalMediaType == mediaPhoto && w.MediaType != mediaPhoto
	if (w.MediaType == mediaVideo || len(w.VideoVersions) > 0) && !staticWithMusic {
		it.Kind, it.Duration = KindVideo, w.VideoDuration
		var v wireVideo
		for _, c := range w.VideoVersions {
			if c.URL == "" {
				continue
			}
			if v.URL == "" || c.Width*c.Height > v.Width*v.Height || (c.Width*c.Height == v.Width*v.Height && c.Type > v.Type) {
				v = c
			}
		}
		it.URL, it.Width, it.Height = v.URL, v.Width, v.Height
		return it
	}
	it.URL, it.Width, it.Height = best.URL, best.Width, best.Height
	return it
}

// MediaID is the numeric media id (pk) of a shortcode: the shortcode is
// the id in URL-safe base64. A private post's shortcode carries 28 more
// characters, which are not part of the id.
func MediaID(shortcode string) (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	code := shortcode
	if len(code) > 28 {
		code = code[:len(code)-28]
	}
	if code == "" || len(code) > 12 {
		return "", fmt.Errorf("instagram: %q is not a media shortcode", shortcode)
	}
	var id uint64
	for i := 0; i < len(code); i++ {
		d := -1
		for j := 0; j < len(alphabet); j++ {
			if alphabet[j] == code[i] {
				d = j
				break
			}
		}
		if d < 0 {
			return "", fmt.Errorf("instagram: %q is not a media shortcode", shortcode)
		}
		if id > (^uint64(0))>>6 {
			return "", fmt.Errorf("instagram: %q is too long for a media id", shortcode)
		}
		id = id<<6 | uint64(d)
	}
	return strconv.FormatUint(id, 10), nil
}
