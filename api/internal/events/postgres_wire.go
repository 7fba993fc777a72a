package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// MaxNotifyBytes is the largest NOTIFY payload the Postgres bus sends.
// Postgres refuses payloads of 8000 bytes or more (with the default block
// size); an event whose envelope is larger crosses nodes as a compact
// reference (see the package doc).
const MaxNotifyBytes = 7999

// maxRefIDBytes bounds the id copied into a compact reference; ids are
// UUIDs or numbers, anything longer is not an id.
const maxRefIDBytes = 200

// wireEvent is the NOTIFY payload: short keys, because every byte counts
// against the 8000-byte limit.
type wireEvent struct {
	Node      string          `json:"n"`
	ID        string          `json:"i"`
	Type      string          `json:"t"`
	UserID    string          `json:"u,omitempty"`
	Time      time.Time       `json:"ts"`
	Data      json.RawMessage `json:"d,omitempty"`
	Truncated bool            `json:"x,omitempty"`
}

// encodeNotify returns the NOTIFY payload for e sent by node, and whether
// it had to be truncated. It fails only if even the compact form is too
// large, which needs an absurd user id.
func encodeNotify(node string, e Event) (payload []byte, truncated bool, err error) {
	w := wireEvent{Node: node, ID: e.ID, Type: e.Type, UserID: e.UserID, Time: e.Time, Data: e.Data, Truncated: e.Truncated}
	payload, err = marshalWire(w)
	if err != nil {
		return nil, false, err
	}
	if len(payload) <= MaxNotifyBytes {
		return payload, e.Truncated, nil
	}
	w.Data, w.Truncated = compactRef(e.Data), true
	payload, err = marshalWire(w)
	if err != nil {
		return nil, false, err
	}
	if len(payload) > MaxNotifyBytes {
		return nil, false, fmt.Errorf("%w: %d bytes even without data", ErrInvalidEvent, len(payload))
	}
	return payload, true, nil
}

// marshalWire encodes without HTML escaping, which would only make the
// payload longer.
func marshalWire(w wireEvent) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w); err != nil {
		return nil, fmt.Errorf("events: encode notify payload: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// compactRef is the Data that replaces an oversized one: the object's id
// when Data has a short top-level "id", so the receiver knows what to
// refetch, and a "truncated" marker.
func compactRef(data json.RawMessage) json.RawMessage {
	var obj struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(data, &obj) == nil && len(obj.ID) > 0 && len(obj.ID) <= maxRefIDBytes {
		var v any
		if json.Unmarshal(obj.ID, &v) == nil {
			switch v.(type) {
			case string, float64:
				return json.RawMessage(`{"id":` + string(obj.ID) + `,"truncated":true}`)
			}
		}
	}
	return json.RawMessage(`{"truncated":true}`)
}

// decodeNotify parses a NOTIFY payload from any node.
func decodeNotify(payload string) (node string, e Event, err error) {
	var w wireEvent
	if err := json.Unmarshal([]byte(payload), &w); err != nil {
		return "", Event{}, fmt.Errorf("events: decode notify payload: %w", err)
	}
	if err := validType(w.Type); err != nil {
		return "", Event{}, err
	}
	if w.ID == "" || strings.ContainsAny(w.ID, "\r\n\x00") {
		return "", Event{}, fmt.Errorf("%w: bad id %q", ErrInvalidEvent, w.ID)
	}
	return w.Node, Event{ID: w.ID, Type: w.Type, UserID: w.UserID, Time: w.Time.UTC(), Data: w.Data, Truncated: w.Truncated}, nil
}
