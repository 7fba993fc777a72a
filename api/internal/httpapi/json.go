package httpapi

import (
	"bytes"
	"encoding/json"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/jsontime"
)

// jsonSerializer is Echo's JSON encoder with every timestamp in one form
// (jsontime.Layout): RFC 3339, UTC, milliseconds. Decoding is Echo's.
type jsonSerializer struct{ echo.DefaultJSONSerializer }

func (jsonSerializer) Serialize(c echo.Context, i any, indent string) error {
	b, err := encodeJSON(i)
	if err != nil {
		return err
	}
	if indent != "" {
		var buf bytes.Buffer
		if err := json.Indent(&buf, b, "", indent); err != nil {
			return err
		}
		b = append(buf.Bytes(), '\n')
	}
	_, err = c.Response().Write(b)
	return err
}

// encodeJSON is json.Encoder's output (HTML-safe, newline-terminated) with
// timestamps normalized.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return jsontime.Normalize(buf.Bytes()), nil
}
