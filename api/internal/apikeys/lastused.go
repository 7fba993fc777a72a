package apikeys

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// lastUsedWriter records when and from where each key was last used,
// writing each key at most once a minute and never on the request path.
type lastUsedWriter struct {
	db  *gorm.DB
	log *slog.Logger

	mu      sync.Mutex
	written map[uuid.UUID]time.Time
	pending map[uuid.UUID]lastUse
}

type lastUse struct {
	at time.Time
	ip string
}

func newLastUsedWriter(db *gorm.DB, log *slog.Logger) *lastUsedWriter {
	return &lastUsedWriter{db: db, log: log, written: map[uuid.UUID]time.Time{}, pending: map[uuid.UUID]lastUse{}}
}

func (w *lastUsedWriter) note(id uuid.UUID, ip string, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Sub(w.written[id]) < time.Minute {
		return
	}
	w.written[id] = now
	w.pending[id] = lastUse{at: now, ip: ip}
}

func (w *lastUsedWriter) flush(ctx context.Context) {
	w.mu.Lock()
	batch := w.pending
	w.pending = map[uuid.UUID]lastUse{}
	for id, t := range w.written {
		if time.Since(t) > time.Hour {
			delete(w.written, id)
		}
	}
	w.mu.Unlock()
	for id, u := range batch {
		ip := u.ip
		if len(ip) > 64 {
			ip = ip[:64]
		}
		err := w.db.WithContext(ctx).Table("api_keys").Where("id = ?", id).
			Updates(map[string]any{"last_used_at": u.at, "last_used_ip": ip}).Error
		if err != nil {
			w.log.Warn("cannot record api key use", "err", err)
		}
	}
}
