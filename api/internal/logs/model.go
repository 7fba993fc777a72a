package logs

import (
	"encoding/json"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Sources are the values of a record's source: the part of Downlink that
// wrote it (each package tags its logger with `source`), and "audit" for
// the audit trail. openapi.yaml's LogSource lists the same names; a record
// with no or another source is stored as "system".
var Sources = []string{"http", "auth", "audit", "downloads", "ytdlp", "queue", "webhooks", "system",
	"events", "egress", "files", "apikeys", "users", "store", "settings", "storage"}

// sourceSystem is the source of records that name none we know.
const sourceSystem = "system"

// KnownSource reports whether s is one of Sources.
func KnownSource(s string) bool { return slices.Contains(Sources, s) }

// Levels are the level names on the wire, lowest first.
var Levels = []string{"debug", "info", "warn", "error"}

// LevelName maps a slog level to its wire name; levels between the named
// ones round down (slog's custom levels).
func LevelName(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "debug"
	case l < slog.LevelWarn:
		return "info"
	case l < slog.LevelError:
		return "warn"
	}
	return "error"
}

// ParseLevel maps a wire level name to the lowest slog level it stands for.
func ParseLevel(s string) (slog.Level, bool) {
	switch s {
	case "debug":
		return slog.LevelDebug, true
	case "info":
		return slog.LevelInfo, true
	case "warn":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return 0, false
}

// row is one stored record.
type row struct {
	ID         uuid.UUID  `gorm:"primaryKey;type:uuid"`
	LoggedAt   time.Time  `gorm:"column:logged_at"`
	Level      int        `gorm:"column:level"`
	Source     string     `gorm:"column:source"`
	Message    string     `gorm:"column:message"`
	Attrs      string     `gorm:"column:attrs"`
	RequestID  *string    `gorm:"column:request_id"`
	UserID     *uuid.UUID `gorm:"column:user_id;type:uuid"`
	DownloadID *uuid.UUID `gorm:"column:download_id;type:uuid"`
	ActorID    *uuid.UUID `gorm:"column:actor_id;type:uuid"`
	IP         *string    `gorm:"column:ip"`
	Target     *string    `gorm:"column:target"`
	Action     *string    `gorm:"column:action"`
	Audit      bool       `gorm:"column:audit"`
}

func (row) TableName() string { return "logs" }

// Entry is a log record on the wire (openapi.yaml LogEntry).
type Entry struct {
	ID         uuid.UUID       `json:"id"`
	Time       time.Time       `json:"time"`
	Level      string          `json:"level"`
	Source     string          `json:"source"`
	Message    string          `json:"message"`
	Attrs      json.RawMessage `json:"attrs"`
	RequestID  *string         `json:"request_id"`
	UserID     *uuid.UUID      `json:"user_id"`
	DownloadID *uuid.UUID      `json:"download_id"`
	ActorID    *uuid.UUID      `json:"actor_id"`
	IP         *string         `json:"ip"`
	Target     *string         `json:"target"`
	Action     *string         `json:"action"`
	Audit      bool            `json:"audit"`
}

func (r row) entry() Entry {
	attrs := json.RawMessage(r.Attrs)
	if !json.Valid(attrs) {
		attrs = json.RawMessage("{}")
	}
	return Entry{
		ID: r.ID, Time: r.LoggedAt.UTC(), Level: LevelName(slog.Level(r.Level)), Source: r.Source,
		Message: r.Message, Attrs: attrs, RequestID: r.RequestID, UserID: r.UserID,
		DownloadID: r.DownloadID, ActorID: r.ActorID, IP: r.IP, Target: r.Target,
		Action: r.Action, Audit: r.Audit,
	}
}
