package app

import (
	"context"

	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/logs"
)

// logSink is the part of the process logger (a *logs.Handler, see
// NewLogger) that stores records in the database. A logger built some
// other way has none, and records are then only printed.
type logSink interface {
	Attach(db *gorm.DB, pub logs.Publisher, dropped logs.Counter)
	Run(ctx context.Context) error
}

// attachLogs gives the process logger the migrated database, the event
// bus for the live tail and the drop metric. Records logged since the
// process started wait in its buffer and are stored once runLogs starts.
func (a *App) attachLogs() {
	sink, ok := a.Log.Handler().(logSink)
	if !ok {
		return
	}
	sink.Attach(a.Store.DB, a.Engine.Bus, a.Metrics.LogsDropped)
	a.logSink = sink
}

// runLogs starts the log writer and returns what stops it: the writer
// stores what is still buffered and returns. Serve stops it last, after
// everything else has logged its last words and before the database
// closes.
func (a *App) runLogs() (stop func()) {
	if a.logSink == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.logSink.Run(ctx); err != nil {
			a.Log.Error("log writer stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
