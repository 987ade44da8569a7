package httpapi

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// readConsumeBody reads POST /consumer_peers/:peerId/consume's {producerId, rtpCapabilities}. The usual body, those
// two fields and capabilities whose text consumeCaps has decoded before (a crowd of one browser build sends the
// same), is read in one pass of jsonScan with no decoding at all; any other body (more or other fields, names in
// another case, a field twice, new capabilities, anything malformed) goes through decodeBody and consumeCaps, so
// what is accepted, and every error, is the same either way.
func readConsumeBody(c *fiber.Ctx) (producerID string, caps domain.RtpCapabilities, err error) {
	var ids [1]string
	if raw, ok := scanFlatObject(bytes.TrimSpace(c.Body()), []string{"producerId"}, ids[:], "rtpCapabilities"); ok {
		if caps, hit := consumeCaps.cached(raw); hit {
			return ids[0], caps, nil
		}
	}
	var b struct {
		ProducerID      string          `json:"producerId"`
		RtpCapabilities json.RawMessage `json:"rtpCapabilities"`
	}
	if err := decodeBody(c, &b); err != nil {
		return "", domain.RtpCapabilities{}, err
	}
	caps, err = consumeCaps.decode(b.RtpCapabilities)
	return b.ProducerID, caps, err
}

// scanFlatObject splits body when it is exactly an object of string fields named in names (each at most once,
// absent ones ""; values[i] is names[i]'s) and one object field named obj (raw: its text), in any order.
func scanFlatObject(body []byte, names, values []string, obj string) (raw []byte, ok bool) {
	s := jsonScan{b: body}
	if !s.expect('{') {
		return nil, false
	}
	var seen uint64
	for {
		key, ok := s.str()
		if !ok || !s.expect(':') {
			return nil, false
		}
		s.ws()
		if key == obj && raw == nil {
			start := s.i
			if s.i >= len(s.b) || s.b[s.i] != '{' || !s.skipValue() {
				return nil, false
			}
			raw = s.b[start:s.i]
		} else {
			i := slices.Index(names, key)
			if i < 0 || seen&(1<<i) != 0 {
				return nil, false
			}
			if values[i], ok = s.str(); !ok {
				return nil, false
			}
			seen |= 1 << i
		}
		if s.expect(',') {
			continue
		}
		if !s.expect('}') {
			return nil, false
		}
		s.ws()
		return raw, s.i == len(s.b) && raw != nil
	}
}
