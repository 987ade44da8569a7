package httpapi

import (
	"encoding/json"
	"strings"
)

// topLevelIDs calls fn with each top-level field of the JSON object body whose name ends in "Id" and whose value
// is a string, in order, without decoding the rest: a consume body's device capabilities are only stepped over.
// It stops silently where body is not a well-formed object (the route's decoding reports that), and returns
// fn's first error.
func topLevelIDs(body []byte, fn func(key, value string) error) error {
	s := jsonScan{b: body}
	if !s.expect('{') {
		return nil
	}
	if s.expect('}') {
		return nil
	}
	for {
		key, ok := s.str()
		if !ok || !s.expect(':') {
			return nil
		}
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == '"' {
			v, ok := s.str()
			if !ok {
				return nil
			}
			if strings.HasSuffix(key, "Id") && v != "" {
				if err := fn(key, v); err != nil {
					return err
				}
			}
		} else if !s.skipValue() {
			return nil
		}
		if s.expect(',') {
			continue
		}
		return nil // '}' or malformed: done either way
	}
}

// jsonScan walks JSON text; b[i] is the next byte.
type jsonScan struct {
	b []byte
	i int
}

func (s *jsonScan) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// expect consumes c (after white space) when it is next.
func (s *jsonScan) expect(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str consumes a string token (after white space) and returns its value; an escape or a non-ASCII byte is
// decoded by encoding/json, so the value is what json.Unmarshal gives.
func (s *jsonScan) str() (string, bool) {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return "", false
	}
	start, plain := s.i, true
	for s.i++; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '\\':
			plain = false
			s.i++
		case c == '"':
			s.i++
			if plain {
				return string(s.b[start+1 : s.i-1]), true
			}
			var v string
			if json.Unmarshal(s.b[start:s.i], &v) != nil {
				return "", false
			}
			return v, true
		case c >= 0x80 || c < 0x20:
			plain = false
		}
	}
	return "", false
}

// skipStr consumes a string token that starts at b[i], without making its value; it fails where str would (a
// control byte, a malformed escape), so a scan stops at the same place either way.
func (s *jsonScan) skipStr() bool {
	for s.i++; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '\\':
			s.i++
			if s.i >= len(s.b) {
				return false
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if s.i+4 >= len(s.b) {
					return false
				}
				for _, h := range s.b[s.i+1 : s.i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				s.i += 4
			default:
				return false
			}
		case c == '"':
			s.i++
			return true
		case c < 0x20:
			return false
		}
	}
	return false
}

// skipValue consumes a non-string value: an object or array (strings inside stepped over whole) or a literal.
func (s *jsonScan) skipValue() bool {
	depth := 0
	for ; s.i < len(s.b); s.i++ {
		switch s.b[s.i] {
		case '"':
			if !s.skipStr() {
				return false
			}
			s.i-- // the loop's increment
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return true // the end of the enclosing object: a literal just ended
			}
			depth--
			if depth == 0 {
				s.i++
				return true
			}
		case ',':
			if depth == 0 {
				return true
			}
		}
	}
	return depth == 0
}
