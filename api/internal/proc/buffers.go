package proc

import (
	"bytes"
	"sync"
)

// Tail keeps the last size bytes written to it (the end of a child's
// stderr, where the error is). It is safe for concurrent use (exec's
// copying goroutine writes, the caller reads).
type Tail struct {
	mu        sync.Mutex
	size      int
	buf       []byte
	truncated bool
}

// NewTail returns a Tail of size bytes.
func NewTail(size int) *Tail { return &Tail{size: size} }

// Write keeps the newest bytes.
func (r *Tail) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(p)
	if len(p) >= r.size {
		r.buf = append(r.buf[:0], p[len(p)-r.size:]...)
		r.truncated = true
		return n, nil
	}
	if over := len(r.buf) + len(p) - r.size; over > 0 {
		r.buf = append(r.buf[:0], r.buf[over:]...)
		r.truncated = true
	}
	r.buf = append(r.buf, p...)
	return n, nil
}

// String returns the kept bytes, starting at a line boundary when older
// output was dropped.
func (r *Tail) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.buf
	if r.truncated {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
		return "[… earlier output dropped]\n" + string(b)
	}
	return string(b)
}

// Head keeps the first limit bytes written and drops the rest, noting
// that it did, so a runaway child cannot exhaust memory. Safe for
// concurrent use.
type Head struct {
	mu       sync.Mutex
	limit    int
	buf      bytes.Buffer
	overflow bool
}

// NewHead returns a Head of limit bytes.
func NewHead(limit int) *Head { return &Head{limit: limit} }

// Write keeps what fits.
func (b *Head) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	room := b.limit - b.buf.Len()
	if room < len(p) {
		b.overflow = true
		if room > 0 {
			b.buf.Write(p[:room])
		}
		return len(p), nil
	}
	b.buf.Write(p)
	return len(p), nil
}

// String returns what was kept.
func (b *Head) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Bytes returns a copy of what was kept.
func (b *Head) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// Overflowed reports whether anything was dropped.
func (b *Head) Overflowed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.overflow
}

// Lines splits what is written into lines and calls Fn for each, in
// order, from the writing goroutine. A line longer than Max is cut at Max
// (the rest until the newline is dropped), so a line costs bounded memory.
type Lines struct {
	Fn      func(line string)
	Max     int
	buf     []byte
	discard bool // inside an over-long line
}

// Write splits p into lines.
func (w *Lines) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			w.add(p)
			break
		}
		w.add(p[:i])
		w.emit()
		p = p[i+1:]
	}
	return n, nil
}

func (w *Lines) add(p []byte) {
	if w.discard {
		return
	}
	if room := w.Max - len(w.buf); len(p) > room {
		w.buf = append(w.buf, p[:room]...)
		w.discard = true
		return
	}
	w.buf = append(w.buf, p...)
}

func (w *Lines) emit() {
	if len(w.buf) > 0 {
		w.Fn(string(w.buf))
	}
	w.buf = w.buf[:0]
	w.discard = false
}

// Flush emits a last line that had no newline.
func (w *Lines) Flush() { w.emit() }
