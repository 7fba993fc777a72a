package downloads

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Status is where a download is in its life.
type Status string

// The state machine: queued → fetching_info → downloading →
// post_processing → completed, or failed / canceled; needs_match waits for
// a person to pick a Spotify match. Retry moves failed and canceled back to
// queued.
const (
	StatusQueued         Status = "queued"
	StatusFetchingInfo   Status = "fetching_info"
	StatusDownloading    Status = "downloading"
	StatusPostProcessing Status = "post_processing"
	StatusCompleted      Status = "completed"
	StatusFailed         Status = "failed"
	StatusCanceled       Status = "canceled"
	StatusNeedsMatch     Status = "needs_match"
)

// Statuses lists every status.
var Statuses = []Status{StatusQueued, StatusFetchingInfo, StatusDownloading, StatusPostProcessing,
	StatusCompleted, StatusFailed, StatusCanceled, StatusNeedsMatch}

// Final reports whether nothing more happens without a person.
func (s Status) Final() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCanceled
}

// Running reports whether a worker is on it.
func (s Status) Running() bool {
	return s == StatusFetchingInfo || s == StatusDownloading || s == StatusPostProcessing
}

// runningStatuses are the statuses a live worker holds.
var runningStatuses = []string{string(StatusFetchingInfo), string(StatusDownloading), string(StatusPostProcessing)}

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
	CreatedAt       time.Time       `json:"created_at"`
	StartedAt       *time.Time      `json:"started_at"`
	FinishedAt      *time.Time      `json:"finished_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	meta            json.RawMessage // platform data kept with the row
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
	Status          string
	Title           *string
	Uploader        *string
	ThumbnailURL    *string
	DurationSeconds *float64
	SourceURL       *string
	PlaylistIndex   int
	Percent         float64
	DownloadedBytes int64
	TotalBytes      *int64
	SpeedBps        *float64
	ETASeconds      *int64 `gorm:"column:eta_seconds"`
	FragmentIndex   *int
	FragmentCount   *int
	PostProcessor   *string
	ErrorCode       *string
	ErrorMessage    *string
	Options         string
	Meta            *string
	JobID           *int64
	Node            *string
	HeartbeatAt     *time.Time
	Attempts        int
	IdempotencyKey  *string
	IdemUserID      *uuid.UUID `gorm:"column:idem_user_id;type:uuid"`
	RequestHash     *string
	CreatedAt       time.Time
	StartedAt       *time.Time
	FinishedAt      *time.Time
	UpdatedAt       time.Time
}

func (row) TableName() string { return "downloads" }

func (r *row) view() Download {
	d := Download{
		ID: r.ID, URL: r.URL, Platform: r.Platform, Kind: r.Kind, Status: Status(r.Status),
		Title: r.Title, Uploader: r.Uploader, ThumbnailURL: r.ThumbnailURL, DurationSeconds: r.DurationSeconds,
		SourceURL: r.SourceURL, ParentID: r.ParentID, UserID: r.UserID, Node: r.Node, Attempts: r.Attempts,
		PlaylistIndex: r.PlaylistIndex, CreatedAt: r.CreatedAt.UTC(), StartedAt: utc(r.StartedAt),
		FinishedAt: utc(r.FinishedAt), UpdatedAt: r.UpdatedAt.UTC(), Files: []files.File{},
		Progress: Progress{Percent: r.Percent, DownloadedBytes: r.DownloadedBytes, TotalBytes: r.TotalBytes,
			SpeedBps: r.SpeedBps, ETASeconds: r.ETASeconds, FragmentIndex: r.FragmentIndex,
			FragmentCount: r.FragmentCount, PostProcessor: r.PostProcessor},
	}
	_ = json.Unmarshal([]byte(r.Options), &d.Options)
	if r.ErrorCode != nil {
		msg := ""
		if r.ErrorMessage != nil {
			msg = *r.ErrorMessage
		}
		d.Error = &Error{Code: *r.ErrorCode, Message: msg}
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

func newID() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.New()
	}
	return id
}
