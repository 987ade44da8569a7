package domain

import (
	"maps"
	"slices"
)

// Clone methods: the parameter types share their slices and maps between value copies, so whoever stores or
// hands out one copies it first. A clone keeps nil and empty apart (null and [] stay what they were in JSON);
// code that must answer {} or [] fills them itself.

// Clone returns a deep copy of p.
func (p CodecParameters) Clone() CodecParameters { return cloneJSONMap(p) }

// Clone returns a deep copy of c.
func (c RtpCodecCapability) Clone() RtpCodecCapability {
	c.Parameters = c.Parameters.Clone()
	c.RtcpFeedback = slices.Clone(c.RtcpFeedback)
	return c
}

// Clone returns a deep copy of c.
func (c RtpCapabilities) Clone() RtpCapabilities {
	return RtpCapabilities{Codecs: cloneEach(c.Codecs), HeaderExtensions: slices.Clone(c.HeaderExtensions)}
}

// Clone returns a deep copy of c.
func (c RtpCodecParameters) Clone() RtpCodecParameters {
	c.Parameters = c.Parameters.Clone()
	c.RtcpFeedback = slices.Clone(c.RtcpFeedback)
	return c
}

// Clone returns a deep copy of e.
func (e RtpHeaderExtensionParameters) Clone() RtpHeaderExtensionParameters {
	e.Parameters = cloneJSONMap(e.Parameters)
	return e
}

// Clone returns a deep copy of e.
func (e RtpEncodingParameters) Clone() RtpEncodingParameters {
	e.RTX = clonePtr(e.RTX)
	return e
}

// Clone returns a deep copy of r.
func (r RtcpParameters) Clone() RtcpParameters {
	r.Mux = clonePtr(r.Mux)
	return r
}

// Clone returns a deep copy of p.
func (p RtpParameters) Clone() RtpParameters {
	p.Codecs = cloneEach(p.Codecs)
	p.HeaderExtensions = cloneEach(p.HeaderExtensions)
	p.Encodings = cloneEach(p.Encodings)
	p.RTCP = p.RTCP.Clone()
	return p
}

// Clone returns a deep copy of r.
func (r Room) Clone() Room {
	r.RtpCapabilities = r.RtpCapabilities.Clone()
	return r
}

// Clone returns a deep copy of r.
func (r Router) Clone() Router {
	r.RtpCapabilities = r.RtpCapabilities.Clone()
	return r
}

// Clone returns a deep copy of p.
func (p Producer) Clone() Producer {
	p.RtpParameters = p.RtpParameters.Clone()
	p.AppData = slices.Clone(p.AppData)
	return p
}

func cloneEach[T interface{ Clone() T }](s []T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = v.Clone()
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// cloneJSONMap copies a map of decoded JSON values; nested objects and arrays (which only header extension
// parameters may carry) are copied too.
func cloneJSONMap[M ~map[string]any](m M) M {
	out := maps.Clone(m)
	for k, v := range out {
		out[k] = cloneJSONValue(v)
	}
	return out
}

func cloneJSONValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneJSONMap(v)
	case []any:
		out := slices.Clone(v)
		for i, e := range out {
			out[i] = cloneJSONValue(e)
		}
		return out
	default:
		return v
	}
}
