// Package logs is Downlink's system log and audit trail: an slog.Handler
// that prints every record (secrets redacted) and stores it, in batches and
// without ever blocking the caller, in the logs table; the search behind
// GET /api/v1/logs; and the periodic job that deletes old rows.
//
// Audit entries are ordinary records with source "audit" and audit=true,
// carrying action, actor_id, target and ip attributes; those, request_id,
// user_id and download_id get their own columns, the rest goes into attrs.
package logs

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Handler.
type Options struct {
	// DBLevel is the lowest level stored in the table (default info):
	// debug records are printed, when the output wants them, but not kept.
	DBLevel slog.Leveler
	// BufferSize bounds the records waiting for the writer (default 8192);
	// when it is full a record is printed but not stored, and counted.
	BufferSize int
	// BatchSize and FlushInterval say when the writer stores what waits:
	// every BatchSize records or FlushInterval, whichever comes first
	// (defaults 200 and 500ms).
	BatchSize     int
	FlushInterval time.Duration
	// Secrets are exact values (client secrets from the configuration) to
	// redact wherever they appear; values shorter than 8 bytes are ignored.
	Secrets []string
}

// Defaults of Options.
const (
	DefaultBufferSize    = 8192
	DefaultBatchSize     = 200
	DefaultFlushInterval = 500 * time.Millisecond
)

func (o *Options) setDefaults() {
	if o.DBLevel == nil {
		o.DBLevel = slog.LevelInfo
	}
	if o.BufferSize <= 0 {
		o.BufferSize = DefaultBufferSize
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
}

// Handler is the process's slog.Handler. Records go to the output handler
// at once and to the table through a bounded buffer that a writer (Run)
// empties; until Attach gives it a database the buffer only fills, and
// once full it drops.
type Handler struct {
	c      *core
	out    slog.Handler // the output, with this handler's attrs and groups
	prefix string       // open groups as "a.b." for the stored keys
	bound  []field      // attributes added by With, flattened and redacted
}

// core is what every handler derived by With and WithGroup shares.
type core struct {
	opts   Options
	out    slog.Handler // the output as given, for the writer's own problems
	red    *redactor
	sink   *sink
	dbSecs atomic.Pointer[[]string] // values redacted from stored records only (the setup token)
	mu     sync.Mutex
}

// New returns a handler printing to out (a text or JSON handler on stdout)
// and storing records once attached.
func New(out slog.Handler, opts Options) *Handler {
	opts.setDefaults()
	c := &core{opts: opts, out: out, red: newRedactor(opts.Secrets)}
	c.sink = newSink(c, opts)
	return &Handler{c: c, out: out}
}

// Enabled reports whether the output or the table wants the level.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.c.opts.DBLevel.Level() || h.out.Enabled(ctx, l)
}

// Handle prints the redacted record and offers it to the table.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	red := slog.NewRecord(t, r.Level, h.c.red.text(r.Message), r.PC)
	var fields []field
	store := r.Level >= h.c.opts.DBLevel.Level() && h.c.sink.accepting()
	if store {
		fields = make([]field, len(h.bound), len(h.bound)+r.NumAttrs())
		copy(fields, h.bound)
	}
	r.Attrs(func(a slog.Attr) bool {
		ra := h.c.red.attr(a, true)
		red.AddAttrs(ra)
		if store {
			fields = flatten(fields, h.prefix, ra)
		}
		if a.Key == SetupTokenKey && h.prefix == "" {
			h.c.learnSecret(a.Value.Resolve().String())
		}
		return true
	})
	var err error
	if h.out.Enabled(ctx, r.Level) {
		err = h.out.Handle(ctx, red)
	}
	if store {
		row := newRow(t, r.Level, red.Message, fields, h.c.dbSecrets())
		fromRequest(ctx, &row)
		h.c.sink.offer(row)
	}
	return err
}

// WithAttrs returns a handler that adds attrs to every record.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	red := make([]slog.Attr, len(attrs))
	bound := slices.Clip(h.bound)
	for i, a := range attrs {
		red[i] = h.c.red.attr(a, true)
		bound = flatten(bound, h.prefix, red[i])
		if a.Key == SetupTokenKey && h.prefix == "" {
			h.c.learnSecret(a.Value.Resolve().String())
		}
	}
	return &Handler{c: h.c, out: h.out.WithAttrs(red), prefix: h.prefix, bound: bound}
}

// WithGroup returns a handler that nests later attributes under name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &Handler{c: h.c, out: h.out.WithGroup(name), prefix: h.prefix + name + ".", bound: h.bound}
}

// Dropped returns how many records were printed but not stored: the
// buffer was full, or the database refused their batch.
func (h *Handler) Dropped() uint64 { return h.c.sink.dropped() }

// learnSecret remembers a value printed on stdout that must never be
// stored (the setup token), wherever it would appear in a record.
func (c *core) learnSecret(v string) {
	if len(v) < minLiteral {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.dbSecrets()
	if slices.Contains(old, v) {
		return
	}
	next := append(slices.Clip(old), v)
	c.dbSecs.Store(&next)
}

func (c *core) dbSecrets() []string {
	if p := c.dbSecs.Load(); p != nil {
		return *p
	}
	return nil
}

// requestKey carries the HTTP request a context belongs to.
type requestKey struct{}

type requestInfo struct{ id, ip string }

// WithRequest returns ctx carrying the request id and client IP of an
// HTTP request: records logged with such a context (InfoContext and the
// like) are stored with them when they do not name their own.
func WithRequest(ctx context.Context, requestID, ip string) context.Context {
	return context.WithValue(ctx, requestKey{}, requestInfo{id: requestID, ip: ip})
}

// fromRequest fills the request columns a record left empty.
func fromRequest(ctx context.Context, r *row) {
	if ctx == nil {
		return
	}
	ri, ok := ctx.Value(requestKey{}).(requestInfo)
	if !ok {
		return
	}
	if r.RequestID == nil && ri.id != "" && len(ri.id) <= 64 {
		r.RequestID = &ri.id
	}
	if r.IP == nil && ri.ip != "" {
		r.IP = &ri.ip
	}
}
