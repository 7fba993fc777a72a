package events

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
)

// Defaults of a bus's replay history (see WithHistory).
const (
	DefaultHistoryEvents = 4096
	DefaultHistoryBytes  = 8 << 20
)

// BusOption tunes a bus.
type BusOption func(*busOptions)

type busOptions struct {
	historyEvents, historyBytes int
}

// WithHistory bounds the events a bus keeps for Last-Event-ID replay: at
// most events of them and about bytes of their data, whichever is reached
// first (the oldest go first). Zero or less keeps the default.
func WithHistory(events, bytes int) BusOption {
	return func(o *busOptions) {
		if events > 0 {
			o.historyEvents = events
		}
		if bytes > 0 {
			o.historyBytes = bytes
		}
	}
}

// history is a node's bounded record of the events its bus fanned out, in
// the order its subscribers received them. Each event gets a cursor,
// "<epoch>-<seq>": the epoch is random per bus, so a cursor from another
// node or from before a restart is recognized as foreign rather than
// mistaken for a position here. It is guarded by the bus: appended under
// the bus's read lock plus its order lock, read under the write lock.
type history struct {
	epoch    string
	next     uint64  // seq of the next event; the first is 1
	ring     []Event // oldest first, from head
	head     int     // index of the oldest entry in ring
	n        int     // entries in use
	bytes    int
	maxBytes int
}

func newHistory(o busOptions) *history {
	var r [4]byte
	_, _ = rand.Read(r[:]) // never fails; see crypto/rand.Read
	return &history{epoch: hex.EncodeToString(r[:]), next: 1, ring: make([]Event, o.historyEvents), maxBytes: o.historyBytes}
}

// cursor formats the position of seq.
func (h *history) cursor(seq uint64) string {
	return h.epoch + "-" + strconv.FormatUint(seq, 10)
}

// Head is the cursor of the newest event so far ("<epoch>-0" before any).
func (h *history) Head() string { return h.cursor(h.next - 1) }

// add gives e the next cursor, records it and returns it.
func (h *history) add(e Event) Event {
	e.Cursor = h.cursor(h.next)
	h.next++
	size := eventSize(e)
	for h.n > 0 && (h.n == len(h.ring) || h.bytes+size > h.maxBytes) {
		h.bytes -= eventSize(h.ring[h.head])
		h.ring[h.head] = Event{}
		h.head = (h.head + 1) % len(h.ring)
		h.n--
	}
	h.ring[(h.head+h.n)%len(h.ring)] = e
	h.n++
	h.bytes += size
	return e
}

// since returns the events after cursor that m lets through, oldest first,
// and whether cursor is a position this history still covers: a cursor
// from another epoch, from the future, malformed or older than the oldest
// event kept gives ok false (events may have been missed).
func (h *history) since(cursor string, m *matcher) (missed []Event, ok bool) {
	epoch, n, found := strings.Cut(cursor, "-")
	if !found || epoch != h.epoch {
		return nil, false
	}
	seq, err := strconv.ParseUint(n, 10, 64)
	if err != nil || seq >= h.next {
		return nil, false
	}
	oldest := h.next - uint64(h.n) // seq of ring[head], or next when empty
	if seq+1 < oldest {
		return nil, false
	}
	for i := int(seq + 1 - oldest); i < h.n; i++ {
		e := h.ring[(h.head+i)%len(h.ring)]
		if e.Type == TypeResync || (m.owner(e.UserID) && m.wantsType(e.Type)) {
			missed = append(missed, e)
		}
	}
	return missed, true
}

// eventSize approximates what an event holds in memory.
func eventSize(e Event) int {
	return len(e.Data) + len(e.ID) + len(e.Type) + len(e.UserID) + len(e.Cursor) + 64
}
