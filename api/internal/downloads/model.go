package downloads

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/clip"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Progress is live progress.
type Progress struct {
	Percent         float64  `json:"percent"`
	DownloadedBytes int64    `json:"downloaded_bytes"`
	TotalBytes      *int64   `json:"total_bytes"`
	SpeedBps        *float64 `json:"speed_bps"`
	ETASeconds      *int64   `json:"eta_seconds"`
	FragmentIndex   *int     `json:"fragment_index"`
	FragmentCount   *int     `json:"fragment_count"`
	PostProcessor   *string  `json:"postprocessor"`
}

// Error says why a download failed, safely.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Details are the last lines of yt-dlp's output, sanitized
	// (ytdlp.TechnicalDetails); omitted when there are none.
	Details *string `json:"details,omitempty"`
}

// Warning is something a download wants its user to know without having
// failed: an Instagram post that completed with 2 of its 3 items, a
// Spotify track whose metadata came without an ISRC. Code is stable for
// programs (openapi.yaml DownloadWarningCode), Message is for people.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Match is the Spotify matching outcome of an item.
type Match struct {
	Threshold  float64          `json:"threshold"`
	Candidates []MatchCandidate `json:"candidates"`
	ChosenURL  *string          `json:"chosen_url"`
	Manual     bool             `json:"manual"`
	Score      *float64         `json:"score"`
}

// MatchCandidate is one possible source of a Spotify track.
type MatchCandidate struct {
	URL             string   `json:"url"`
	Title           string   `json:"title"`
	Uploader        *string  `json:"uploader"`
	DurationSeconds *float64 `json:"duration_seconds"`
	Score           float64  `json:"score"`
	Source          string   `json:"source"`
	ThumbnailURL    *string  `json:"thumbnail_url"`
}

// Download is one media item (or a playlist parent) as the API shows it.
type Download struct {
	ID              uuid.UUID       `json:"id"`
	URL             string          `json:"url"`
	Platform        string          `json:"platform"`
	Kind            string          `json:"kind"`
	Status          Status          `json:"status"`
	Title           *string         `json:"title"`
	Uploader        *string         `json:"uploader"`
	ThumbnailURL    *string         `json:"thumbnail_url"`
	DurationSeconds *float64        `json:"duration_seconds"`
	SourceURL       *string         `json:"source_url"`
	Progress        Progress        `json:"progress"`
	Error           *Error          `json:"error"`
	Warnings        []Warning       `json:"warnings"`
	ParentID        *uuid.UUID      `json:"parent_id"`
	ChildrenCount   int             `json:"children_count"`
	ChildrenSummary map[string]int  `json:"children_summary"`
	Options         ytdlp.Options   `json:"options"`
	Files           []files.File    `json:"files"`
	UserID          uuid.UUID       `json:"user_id"`
	Node            *string         `json:"node"`
	Attempts        int             `json:"attempts"`
	Match           *Match          `json:"match"`
	PlaylistIndex   int             `json:"playlist_index"`
	SubscriptionID  *uuid.UUID      `json:"subscription_id"` // the subscription that queued it
	YtdlpVersion    *string         `json:"ytdlp_version"`   // the yt-dlp that runs it; null until it started
	CreatedAt       time.Time       `json:"created_at"`
	StartedAt       *time.Time      `json:"started_at"`
	FinishedAt      *time.Time      `json:"finished_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	meta            json.RawMessage // platform data kept with the row
}

// MarshalJSON writes no warnings as [], as the contract says, whoever
// built the Download (a row's view, a webhook's test event, an event),
// and the remote site's text — title, uploader, match candidates —
// without bidirectional controls (clip.StripBidi), as file names are.
func (d Download) MarshalJSON() ([]byte, error) { return json.Marshal(d.Wire()) }

// Wire is a Download as it is sent (see MarshalJSON), with no MarshalJSON
// of its own: a list of them encodes in one pass, where a MarshalJSON per
// item has its output parsed and compacted again by encoding/json (an
// eighth of a list request's CPU).
type Wire Download

// Wire returns d as MarshalJSON sends it.
func (d Download) Wire() Wire {
	if d.Warnings == nil {
		d.Warnings = []Warning{}
	}
	d.Title, d.Uploader = stripBidi(d.Title), stripBidi(d.Uploader)
	if d.Match != nil {
		m := *d.Match
		m.Candidates = make([]MatchCandidate, len(d.Match.Candidates))
		for i, c := range d.Match.Candidates {
			c.Title, c.Uploader = clip.StripBidi(c.Title), stripBidi(c.Uploader)
			m.Candidates[i] = c
		}
		d.Match = &m
	}
	return Wire(d)
}

func stripBidi(s *string) *string {
	if s == nil {
		return nil
	}
	return ptr(clip.StripBidi(*s))
}

// row is the downloads table.
type row struct {
	ID              uuid.UUID  `gorm:"primaryKey;type:uuid"`
	UserID          uuid.UUID  `gorm:"type:uuid"`
	APIKeyID        *uuid.UUID `gorm:"type:uuid"`
	ParentID        *uuid.UUID `gorm:"type:uuid"`
	URL             string
	Platform        string
	Kind            string
	Status          Status
	Title           *string
	Uploader        *string
	ThumbnailURL    *string
	DurationSeconds *float64
	SourceURL       *string
	PlaylistIndex   int
	// EntryKey is which entry of the parent's listing a child is (unique
	// per parent): see entryKeys.
	EntryKey *string
	// SubscriptionID is the subscription that queued the download.
	SubscriptionID  *uuid.UUID `gorm:"type:uuid"`
	Percent         float64
	DownloadedBytes int64
	TotalBytes      *int64
	SpeedBps        *float64
	ETASeconds      *int64 `gorm:"column:eta_seconds"`
	FragmentIndex   *int
	FragmentCount   *int
	PostProcessor   *string
	YtdlpVersion    *string
	ErrorCode       *string
	ErrorMessage    *string
	ErrorDetails    *string
	Warnings        *string // JSON list of Warning
	// Options are decoded once, when the download is submitted, and
	// stored as JSON (the column is text).
	Options ytdlp.Options `gorm:"serializer:json"`
	Meta    *string
	// LibraryMeta is the files.Meta (JSON) the completion filed the
	// download by, for a later move between library layouts.
	LibraryMeta    *string
	JobID          *int64
	Node           *string
	HeartbeatAt    *time.Time
	Attempts       int
	IdempotencyKey *string
	IdemUserID     *uuid.UUID `gorm:"column:idem_user_id;type:uuid"`
	RequestHash    *string
	CreatedAt      time.Time
	StartedAt      *time.Time
	FinishedAt     *time.Time
	UpdatedAt      time.Time
}

func (row) TableName() string { return "downloads" }

func (r *row) view() Download {
	d := Download{
		ID: r.ID, URL: r.URL, Platform: r.Platform, Kind: r.Kind, Status: r.Status, Options: r.Options,
		Title: r.Title, Uploader: r.Uploader, ThumbnailURL: r.ThumbnailURL, DurationSeconds: r.DurationSeconds,
		SourceURL: r.SourceURL, ParentID: r.ParentID, UserID: r.UserID, Node: r.Node, Attempts: r.Attempts,
		PlaylistIndex: r.PlaylistIndex, SubscriptionID: r.SubscriptionID, YtdlpVersion: r.YtdlpVersion, CreatedAt: r.CreatedAt.UTC(), StartedAt: utc(r.StartedAt),
		FinishedAt: utc(r.FinishedAt), UpdatedAt: r.UpdatedAt.UTC(), Files: []files.File{}, Warnings: []Warning{},
		Progress: Progress{Percent: r.Percent, DownloadedBytes: r.DownloadedBytes, TotalBytes: r.TotalBytes,
			SpeedBps: r.SpeedBps, ETASeconds: r.ETASeconds, FragmentIndex: r.FragmentIndex,
			FragmentCount: r.FragmentCount, PostProcessor: r.PostProcessor},
	}
	if r.Warnings != nil {
		_ = json.Unmarshal([]byte(*r.Warnings), &d.Warnings)
	}
	if r.ErrorCode != nil {
		msg := ""
		if r.ErrorMessage != nil {
			msg = *r.ErrorMessage
		}
		d.Error = &Error{Code: *r.ErrorCode, Message: msg, Details: r.ErrorDetails}
	}
	if r.Meta != nil {
		d.meta = json.RawMessage(*r.Meta)
		var m struct {
			Match *Match `json:"match"`
		}
		if json.Unmarshal(d.meta, &m) == nil {
			d.Match = m.Match
		}
	}
	return d
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func ptr[T any](v T) *T { return &v }

// warningsColumn is the downloads.warnings value for ws (NULL for none).
func warningsColumn(ws []Warning) *string {
	if len(ws) == 0 {
		return nil
	}
	b, _ := json.Marshal(ws)
	return ptr(string(b))
}
