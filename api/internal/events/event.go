package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/jsontime"
)

// Event types published by Downlink's services. The list is open: any
// dot-separated lower-case name is accepted.
const (
	TypeDownloadCreated  = "download.created"
	TypeDownloadUpdated  = "download.updated"
	TypeDownloadProgress = "download.progress"
	TypeDownloadDeleted  = "download.deleted"
	TypeFileCreated      = "file.created"
	TypeFileDeleted      = "file.deleted"
	TypeLogAppended      = "log.appended"
	// TypeYtdlpUpdated: a node's yt-dlp changed (sent by ytdlp/managed, to
	// admins).
	TypeYtdlpUpdated = "ytdlp.updated"

	// TypeSubscriptionUpdated carries a subscription as the API shows it
	// whenever it changes (created, edited, an item queued);
	// TypeSubscriptionChecked a finished check (the subscription, its new
	// items, its error); TypeSubscriptionDeleted the id of a deleted one.
	TypeSubscriptionUpdated = "subscription.updated"
	TypeSubscriptionChecked = "subscription.checked"
	TypeSubscriptionDeleted = "subscription.deleted"

	// TypeResync tells a subscriber that events may have been missed (the
	// node's listener reconnected, or an SSE client came back after a gap)
	// and that it should refetch what it shows. It reaches every
	// subscriber regardless of its filter.
	TypeResync = "events.resync"
)

// maxTypeLen bounds an event type; types are short names, never data.
const maxTypeLen = 64

// Event is one thing that happened, for live views. Data is the JSON of the
// object concerned (or of the fields that changed); keep it small.
type Event struct {
	// ID orders events roughly by time across nodes (a UUIDv7). Publish
	// assigns one when it is empty.
	ID string `json:"id"`
	// Type names what happened, e.g. "download.progress".
	Type string `json:"type"`
	// UserID owns the event; "" means admin-only or system.
	UserID string `json:"user_id,omitempty"`
	// Data is JSON; Publish compacts it to one line.
	Data json.RawMessage `json:"data,omitempty"`
	// Time is when it happened (UTC); Publish sets it when zero.
	Time time.Time `json:"time"`
	// Truncated is set on an event that crossed nodes without its full
	// Data because it was too large for NOTIFY; see the package doc.
	Truncated bool `json:"truncated,omitempty"`
	// Cursor is the event's position in the history of the bus that
	// delivered it ("<epoch>-<seq>", set when it is fanned out): the SSE
	// id, which a reconnecting client sends back as Last-Event-ID. It is
	// local to a node and never crosses nodes.
	Cursor string `json:"-"`
}

// NewID returns a new event ID: a UUIDv7, so IDs sort by creation time and
// are unique across nodes without coordination.
func NewID() string {
	id, err := uuid.NewV7()
	if err != nil {
		// NewV7 fails only when the system random source does; a random
		// v4 still gives a unique (if unordered) id.
		return uuid.NewString()
	}
	return id.String()
}

// normalize validates e and fills in what Publish owns: ID, Time and
// compact Data. It returns an error wrapping ErrInvalidEvent.
func normalize(e Event) (Event, error) {
	if err := validType(e.Type); err != nil {
		return e, err
	}
	if strings.ContainsAny(e.ID, "\r\n\x00") {
		return e, fmt.Errorf("%w: id contains a line break", ErrInvalidEvent)
	}
	if e.ID == "" {
		e.ID = NewID()
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC()
	if len(e.Data) > 0 {
		var buf bytes.Buffer
		if err := json.Compact(&buf, e.Data); err != nil {
			return e, fmt.Errorf("%w: data is not JSON: %v", ErrInvalidEvent, err)
		}
		// Timestamps in one form, as in every API response.
		e.Data = jsontime.Normalize(buf.Bytes())
	} else {
		e.Data = nil
	}
	return e, nil
}

// validType accepts short names made of a-z, 0-9, '.', '_' and '-', which
// are safe on an SSE "event:" line and in a query string.
func validType(t string) error {
	if t == "" {
		return fmt.Errorf("%w: type is empty", ErrInvalidEvent)
	}
	if len(t) > maxTypeLen {
		return fmt.Errorf("%w: type is longer than %d bytes", ErrInvalidEvent, maxTypeLen)
	}
	for _, r := range t {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return fmt.Errorf("%w: type %q has a character other than a-z 0-9 . _ -", ErrInvalidEvent, t)
		}
	}
	return nil
}
