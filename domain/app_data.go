package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// MaxAppDataLen bounds a producer's appData: it is stored with the producer, listed with it and carried by the
// room's events (a PostgreSQL NOTIFY payload holds 8000 bytes).
const MaxAppDataLen = 4096

// AppDataOrEmpty is a producer's appData as every store answers it: {} when there is none.
func AppDataOrEmpty(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("{}")
	}
	return raw
}

// NormalizeAppData checks mediasoup-client's appData as a client sends it with produce: absent or null is {};
// anything else must be a JSON object of at most MaxAppDataLen bytes. It returns the compacted object.
func NormalizeAppData(raw json.RawMessage) (json.RawMessage, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return json.RawMessage("{}"), nil
	}
	if trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: appData must be a JSON object", ErrInvalidInput)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, trimmed); err != nil {
		return nil, fmt.Errorf("%w: appData is not valid JSON: %w", ErrInvalidInput, err)
	}
	if out.Len() > MaxAppDataLen {
		return nil, fmt.Errorf("%w: appData is %d bytes, at most %d", ErrInvalidInput, out.Len(), MaxAppDataLen)
	}
	return out.Bytes(), nil
}
