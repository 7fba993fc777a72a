package ytdlp

import (
	"bytes"
	"sync"
)

// ringBuffer keeps the last size bytes written to it. It is safe for
// concurrent use (exec's copying goroutine writes, Run reads).
type ringBuffer struct {
	mu        sync.Mutex
	size      int
	buf       []byte
	truncated bool
}

func newRingBuffer(size int) *ringBuffer { return &ringBuffer{size: size} }

func (r *ringBuffer) Write(p []byte) (int, error) {
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
func (r *ringBuffer) String() string {
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

// boundedBuffer keeps the first limit bytes written and counts the rest, so
// a runaway process cannot exhaust memory.
type boundedBuffer struct {
	mu       sync.Mutex
	limit    int
	buf      bytes.Buffer
	overflow bool
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
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

func (b *boundedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *boundedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func (b *boundedBuffer) Overflowed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.overflow
}

// lineWriter splits what is written into lines and calls fn for each, in
// order, from the writing goroutine. A line longer than max is cut at max
// (the rest until the newline is dropped).
type lineWriter struct {
	fn      func(line string)
	max     int
	buf     []byte
	discard bool // inside an over-long line
}

func (w *lineWriter) Write(p []byte) (int, error) {
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

func (w *lineWriter) add(p []byte) {
	if w.discard {
		return
	}
	if room := w.max - len(w.buf); len(p) > room {
		w.buf = append(w.buf, p[:room]...)
		w.discard = true
		return
	}
	w.buf = append(w.buf, p...)
}

func (w *lineWriter) emit() {
	if len(w.buf) > 0 {
		w.fn(string(w.buf))
	}
	w.buf = w.buf[:0]
	w.discard = false
}

// Flush emits a last line that had no newline.
func (w *lineWriter) Flush() { w.emit() }
