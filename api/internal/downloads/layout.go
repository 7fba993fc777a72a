package downloads

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/feeds"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// layoutMeta is what the media-server layout names an item by: yt-dlp's
// info, and a feed item's own date, description and channel.
func layoutMeta(r *row, it Item, info ytdlp.Info, title string) files.Meta {
	m := files.Meta{Title: title, ID: info.ID, Platform: r.Platform, Audio: it.Options.Preset == ytdlp.PresetAudio,
		Artist: info.Artist, Album: info.Album, TrackNumber: info.TrackNumber}
	m.Channel = firstNonEmpty(info.Channel, info.Uploader)
	if m.Channel == "" && r.Uploader != nil {
		m.Channel = *r.Uploader
	}
	if t, err := time.Parse("20060102", info.UploadDate); err == nil {
		m.Aired = t
	}
	if m.Audio && info.Track != "" {
		m.Title = info.Track
	}
	var fm feeds.ItemMeta
	if len(it.Meta) > 0 && json.Unmarshal(it.Meta, &fm) == nil && fm.FeedItem.URL != "" {
		m.Plot = fm.FeedItem.Description
		if !fm.FeedItem.Published.IsZero() {
			m.Aired = fm.FeedItem.Published
		}
		m.Channel = firstNonEmpty(fm.FeedAuthor, fm.FeedTitle, m.Channel)
		if m.ID == "" || strings.HasPrefix(fm.FeedItem.URL, "http") {
			m.ID = fm.FeedItem.ID
		}
	}
	return m
}

// maxThumbBytes bounds a thumbnail fetched for the library.
const maxThumbBytes = 10 << 20

// sidecars writes the .nfo (video) and the thumbnail (when the item has
// one) beside the media at dir/base, through the library; what fails is
// logged and left out (the media matter, these are extras). It returns
// the thumbnail's bytes too (nil: none), for the show's poster.
func (s *Service) sidecars(ctx context.Context, r *row, dir, base string, m files.Meta, thumb *string) ([]files.Imported, []byte) {
	var out []files.Imported
	tmp := s.jobDir(r.ID)
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil, nil
	}
	put := func(name, ext string, data []byte) {
		p := filepath.Join(tmp, "sidecar"+ext)
		if err := os.WriteFile(p, data, 0o640); err != nil {
			return
		}
		im, err := s.files.ImportAt(ctx, p, r.UserID, dir, name, ext)
		if err != nil {
			s.log.Warn("cannot write a library sidecar", "download_id", r.ID, "ext", ext, "err", err)
			_ = os.Remove(p)
			return
		}
		out = append(out, im)
	}
	var thumbData []byte
	if thumb != nil && *thumb != "" {
		thumbData = s.fetchThumb(ctx, r, *thumb)
	}
	if !m.Audio {
		thumbRef := ""
		if thumbData != nil {
			thumbRef = base + "-thumb.jpg"
		}
		if nfo, err := files.NFO(m, r.CreatedAt, thumbRef); err == nil {
			put(base, ".nfo", nfo)
		}
	}
	if thumbData != nil {
		if m.Audio {
			put("cover", ".jpg", thumbData)
		} else {
			put(base+"-thumb", ".jpg", thumbData)
		}
	}
	return out, thumbData
}

// showFiles gives the show folder of a video in the media-server layout
// (its channel's folder) a tvshow.nfo and, when the video came with a
// thumbnail, a poster.jpg, each written once: the first episode that
// finds one missing writes it (a file of the user's own, not the
// episode's: deleting an episode keeps them). What fails is logged; the
// episode is in the library already. It returns the rows it added.
func (s *Service) showFiles(ctx context.Context, r *row, dir string, m files.Meta, thumbData []byte) []files.Row {
	tmp := s.jobDir(r.ID)
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil
	}
	var out []files.Row
	put := func(name string, data []byte) bool {
		p := filepath.Join(tmp, "show-"+name)
		if err := os.WriteFile(p, data, 0o640); err != nil {
			return false
		}
		defer os.Remove(p)
		fr, err := s.files.PutShared(ctx, p, r.UserID, r.Platform, dir, name)
		if err != nil {
			s.log.Warn("cannot write a show folder's file", "download_id", r.ID, "name", name, "err", err)
			return false
		}
		if fr != nil {
			out = append(out, *fr)
		}
		return true
	}
	poster := ""
	if thumbData != nil && put(files.ShowPosterName, thumbData) {
		poster = files.ShowPosterName
	} else if s.files.Exists(ctx, r.UserID, dir, files.ShowPosterName) {
		poster = files.ShowPosterName
	}
	if nfo, err := files.ShowNFO(m, poster); err == nil {
		put(files.ShowNFOName, nfo)
	}
	return out
}

// fetchThumb downloads a thumbnail through the egress guard (nil when it
// cannot: the library goes without it).
func (s *Service) fetchThumb(ctx context.Context, r *row, url string) []byte {
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return nil
	}
	client, release, err := s.leasedHTTP(ctx, r)
	if err != nil {
		return nil
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxThumbBytes+1))
	if err != nil || len(b) > maxThumbBytes {
		return nil
	}
	return b
}
