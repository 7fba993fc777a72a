package handlers

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/instagram"
	"github.com/downlink/downlink/api/internal/netguard"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// instagramTimeout bounds waiting for an answer's headers.
const instagramTimeout = 60 * time.Second

// skippedItem is an item a post completed without.
type skippedItem struct {
	item    instagram.Item
	reason  string
	blocked bool // refused by the egress guard
}

// FetchMedia downloads a post: its media list read through the job's
// egress lease with the platform's cookies and pacing, each photo fetched
// the same way, each video by yt-dlp. Items that fail are skipped and
// named in an "items_skipped" warning; only a post with nothing to keep
// fails.
func (h *Instagram) FetchMedia(ctx context.Context, it downloads.Item, _ downloads.Source, run downloads.FetchRun) (downloads.FetchResult, error) {
	hc, closeIdle, err := leasedClient(run.Settings.ProxyURL, instagramTimeout)
	if err != nil {
		return downloads.FetchResult{}, err
	}
	defer closeIdle()
	var raw []byte
	if run.Settings.CookiesFile != "" {
		if raw, err = os.ReadFile(run.Settings.CookiesFile); err != nil {
			return downloads.FetchResult{}, err
		}
	}
	cookies := instagramCookies(raw)
	client, err := instagram.New(instagram.Config{BaseURL: h.cfg.Settings.InstagramBaseURL(ctx), HTTPClient: hc,
		Cookies: cookies, SleepRequests: run.Settings.SleepRequests, RateLimit: run.Settings.RateLimit,
		Sleep: h.cfg.Sleep, Logger: h.log})
	if err != nil {
		return downloads.FetchResult{}, err
	}
	post, err := client.Post(ctx, platforms.DetectString(it.URL).ID)
	if err != nil {
		h.log.WarnContext(ctx, "instagram post unreadable", "download_id", it.ID, "logged_in", client.LoggedIn(), "err", err)
		return downloads.FetchResult{}, instagramFailure(ctx, err)
	}
	photos, videos := post.Counts()
	audioOnly := it.Options.Preset == ytdlp.PresetAudio
	if audioOnly && videos == 0 {
		return downloads.FetchResult{}, downloads.Failure("no_video", fmt.Sprintf("This Instagram post has no video, only %s, "+
			"so there is no audio to extract. Download it without the audio preset to save its photos.", plural(photos, "photo")))
	}
	if err := os.MkdirAll(run.DoneDir, 0o750); err != nil {
		return downloads.FetchResult{}, err
	}
	h.announce(run, post)
	var files []string
	var skipped []skippedItem
	for _, item := range post.Items {
		stem := filepath.Join(run.DoneDir, fmt.Sprintf("%s.%03d", it.ID, item.Index))
		var file string
		var err error
		switch {
		case item.Kind == instagram.KindPhoto && audioOnly:
			skipped = append(skipped, skippedItem{item: item, reason: "a photo has no audio"})
			continue
		case item.URL == "":
			err = errNoAddress
		case client.CheckMediaURL(item.URL) != nil:
			err = client.CheckMediaURL(item.URL)
		case item.Kind == instagram.KindPhoto:
			file, err = h.fetchPhoto(ctx, client, run, post, item, stem)
		default:
			file, err = h.fetchVideo(ctx, run, it, post, item, stem)
		}
		if ctx.Err() != nil {
			return downloads.FetchResult{}, ctx.Err()
		}
		if err != nil {
			h.log.WarnContext(ctx, "instagram item skipped", "download_id", it.ID, "item", item.Index, "kind", item.Kind, "err", err)
			skipped = append(skipped, skippedItem{item: item, reason: itemFailure(err), blocked: blockedReason(err) != ""})
			continue
		}
		files = append(files, file)
	}
	if len(files) == 0 {
		return downloads.FetchResult{}, nothingKept(post, skipped)
	}
	res := downloads.FetchResult{Files: files}
	if len(skipped) > 0 {
		res.Warnings = []downloads.Warning{{Code: "items_skipped", Message: skippedMessage(len(files), len(post.Items), skipped)}}
	}
	return res, nil
}

var errNoAddress = errors.New("instagram gave no address for it")

// announce tells the item's progress what it is: the title, and one
// "format" per item so the bar spans the whole post.
func (h *Instagram) announce(run downloads.FetchRun, post *instagram.Post) {
	ids := make([]string, len(post.Items))
	var duration float64
	for i, item := range post.Items {
		ids[i] = itemKey(item)
		duration += item.Duration
	}
	who := post.FullName
	if who == "" {
		who = post.Username
	}
	run.Events(ytdlp.Info{ID: post.Shortcode, Title: post.Title(), Uploader: who, Thumbnail: post.Items[0].Thumbnail,
		DurationSeconds: duration, FormatID: strings.Join(ids, "+"), Extractor: "instagram"})
}

func itemKey(item instagram.Item) string { return fmt.Sprintf("item%d", item.Index) }

// fetchPhoto downloads a photo and writes the post's caption and date
// into it.
func (h *Instagram) fetchPhoto(ctx context.Context, client *instagram.Client, run downloads.FetchRun, post *instagram.Post,
	item instagram.Item, stem string) (string, error) {
	tmp, err := os.CreateTemp(run.Dir, "photo-*.part")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	key := itemKey(item)
	var last time.Time
	ct, err := client.Fetch(ctx, item.URL, tmp, func(done, total int64) {
		if time.Since(last) < 250*time.Millisecond && done != total {
			return
		}
		last = time.Now()
		run.Events(ytdlp.Progress{Status: "downloading", DownloadedBytes: done, TotalBytes: total, ETASeconds: -1, FormatID: key})
	})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	st, _ := os.Stat(tmp.Name())
	run.Events(ytdlp.Progress{Status: "finished", DownloadedBytes: st.Size(), TotalBytes: st.Size(), ETASeconds: -1, FormatID: key})
	file := stem + imageExt(ct, item.URL)
	if err := os.Rename(tmp.Name(), file); err != nil {
		return "", err
	}
	md := instagram.Metadata{Caption: post.Caption, Author: post.Username, Source: instagram.PostURL(post.Shortcode), TakenAt: post.TakenAt}
	if err := instagram.WriteMetadata(file, md); err != nil {
		h.log.WarnContext(ctx, "cannot write the photo's metadata", "file", filepath.Base(file), "err", err)
	}
	return file, nil
}

// fetchVideo has yt-dlp download a video from the address the post gives
// (a direct media file: yt-dlp's generic extractor is allowed for it), in
// its own folder, and moves the result beside the photos.
func (h *Instagram) fetchVideo(ctx context.Context, run downloads.FetchRun, it downloads.Item, post *instagram.Post,
	item instagram.Item, stem string) (string, error) {
	opts := it.Options
	opts.PlaylistItems = ""
	st := run.Settings
	st.AllowGeneric = true
	job := ytdlp.Job{ID: fmt.Sprintf("%s-%03d", it.ID, item.Index), URL: item.URL,
		Dir: filepath.Join(run.Dir, "items", fmt.Sprintf("%03d", item.Index)), Options: opts, Settings: st}
	key := itemKey(item)
	res, err := run.Runner.Run(ctx, job, func(ev ytdlp.Event) {
		if p, ok := ev.(ytdlp.Progress); ok {
			p.FormatID = key
			run.Events(p)
		}
	})
	if err != nil {
		return "", err
	}
	var got string
	for _, f := range res.Files {
		if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
			got = f
			break
		}
	}
	if got == "" {
		return "", &ytdlp.ExitError{Reason: ytdlp.ReasonUnknown, SafeMessage: "yt-dlp finished but produced no file."}
	}
	file := stem + filepath.Ext(got)
	if err := os.Rename(got, file); err != nil {
		return "", err
	}
	if !post.TakenAt.IsZero() {
		_ = os.Chtimes(file, post.TakenAt, post.TakenAt)
	}
	return file, nil
}

// instagramCookies keeps the instagram.com cookies of a cookies.txt (sent
// to the base URL's host).
func instagramCookies(raw []byte) []*http.Cookie {
	if len(raw) == 0 {
		return nil
	}
	parsed, err := settings.ParseCookies(string(raw))
	if err != nil {
		return nil // checked when saved; a file yt-dlp rewrote oddly is no reason to fail
	}
	var out []*http.Cookie
	now := time.Now()
	for _, c := range parsed {
		if c.Domain != "instagram.com" && !strings.HasSuffix(c.Domain, ".instagram.com") {
			continue
		}
		if !c.Expires.IsZero() && c.Expires.Before(now) {
			continue
		}
		out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	return out
}

// itemFailure says why an item was skipped, without addresses.
func itemFailure(err error) string {
	var me *instagram.MediaError
	var ee *ytdlp.ExitError
	switch {
	case blockedReason(err) != "":
		return "its address leads to a destination Downlink does not allow (" + blockedReason(err) + ")"
	case errors.As(err, &me) && (me.Status == http.StatusNotFound || me.Status == http.StatusGone):
		return fmt.Sprintf("Instagram's media server answered %d %s (the address may have expired; retrying the "+
			"download reads fresh ones)", me.Status, http.StatusText(me.Status))
	case errors.As(err, &me) && me.Status != 0:
		return fmt.Sprintf("Instagram's media server answered %d %s", me.Status, http.StatusText(me.Status))
	case errors.As(err, &me):
		return "the connection to Instagram's media server failed"
	case errors.Is(err, instagram.ErrRateLimited):
		return "Instagram's rate limit was reached"
	case errors.Is(err, errNoAddress):
		return err.Error()
	case errors.Is(err, instagram.ErrForeignMedia):
		return "its address is not on Instagram's media servers"
	case errors.As(err, &ee):
		return "yt-dlp: " + strings.TrimSuffix(ee.SafeMessage, ".")
	}
	return "it could not be saved"
}

// blockedReason is the egress proxy's reason for refusing a destination
// ("loopback", "metadata", …), or "".
func blockedReason(err error) string {
	var be *netguard.BlockedError
	if errors.As(err, &be) {
		return string(be.Reason)
	}
	var ee *ytdlp.ExitError
	if errors.As(err, &ee) && ee.Reason == ytdlp.ReasonBlockedDestination {
		if r, ok := netguard.ParseBlocked(ee.SafeMessage + " " + ee.Stderr); ok {
			return string(r)
		}
		return "refused"
	}
	return ""
}

// skippedMessage is the "k of n items" warning.
func skippedMessage(kept, total int, skipped []skippedItem) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Downloaded %d of %d items. Skipped ", kept, total)
	for i, s := range skipped {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "item %d (%s): %s", s.item.Index, s.item.Kind, s.reason)
	}
	b.WriteString(".")
	return b.String()
}

// nothingKept fails a post none of whose items could be saved, with the
// reason they share (blocked, or the media server's answer).
func nothingKept(post *instagram.Post, skipped []skippedItem) error {
	code := "unavailable"
	blocked := 0
	for _, s := range skipped {
		if s.blocked {
			blocked++
		}
	}
	if blocked == len(skipped) {
		code = "blocked_destination"
	}
	msg := "None of this post's items could be downloaded"
	if len(post.Items) == 1 {
		msg = "This post's " + string(post.Items[0].Kind) + " could not be downloaded"
	}
	reasons := make([]string, 0, len(skipped))
	for _, s := range skipped {
		if len(post.Items) == 1 {
			reasons = append(reasons, s.reason)
		} else {
			reasons = append(reasons, fmt.Sprintf("item %d (%s): %s", s.item.Index, s.item.Kind, s.reason))
		}
	}
	return downloads.Failure(code, msg+": "+strings.Join(reasons, "; ")+".")
}

// imageExt names a photo by its Content-Type, else its address.
func imageExt(contentType, rawURL string) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		switch mt {
		case "image/jpeg":
			return ".jpg"
		case "image/webp":
			return ".webp"
		case "image/png":
			return ".png"
		case "image/heic":
			return ".heic"
		case "image/avif":
			return ".avif"
		}
	}
	if u, err := url.Parse(rawURL); err == nil {
		switch ext := strings.ToLower(path.Ext(u.Path)); ext {
		case ".jpg", ".jpeg", ".webp", ".png", ".heic", ".avif":
			return strings.Replace(ext, ".jpeg", ".jpg", 1)
		}
	}
	return ".jpg"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
