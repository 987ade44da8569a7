package memory

import "github.com/sfu-cluster/sfu-cluster/domain"

// Deep copies, so that neither a caller nor a stored record can change the other through a shared slice or map.
// Parameter map values are JSON scalars (strings, numbers, bools), so copying the map is deep enough.

func cloneProducer(p domain.Producer) domain.Producer {
	p.RtpParameters = cloneRtpParameters(p.RtpParameters)
	p.AppData = domain.AppDataOrEmpty(append([]byte(nil), p.AppData...))
	return p
}

func cloneRtpParameters(p domain.RtpParameters) domain.RtpParameters {
	out := p
	if p.Codecs != nil {
		out.Codecs = make([]domain.RtpCodecParameters, len(p.Codecs))
		for i, c := range p.Codecs {
			c.Parameters = cloneAnyMap(c.Parameters)
			if c.RtcpFeedback != nil {
				c.RtcpFeedback = append(make([]domain.RtcpFeedback, 0, len(c.RtcpFeedback)), c.RtcpFeedback...)
			}
			out.Codecs[i] = c
		}
	}
	if p.HeaderExtensions != nil {
		out.HeaderExtensions = make([]domain.RtpHeaderExtensionParameters, len(p.HeaderExtensions))
		for i, e := range p.HeaderExtensions {
			e.Parameters = cloneAnyMap(e.Parameters)
			out.HeaderExtensions[i] = e
		}
	}
	if p.Encodings != nil {
		out.Encodings = make([]domain.RtpEncodingParameters, len(p.Encodings))
		for i, e := range p.Encodings {
			if e.RTX != nil {
				rtx := *e.RTX
				e.RTX = &rtx
			}
			out.Encodings[i] = e
		}
	}
	if p.RTCP.Mux != nil {
		mux := *p.RTCP.Mux
		out.RTCP.Mux = &mux
	}
	return out
}

func cloneAnyMap[M ~map[string]any](m M) M {
	if m == nil {
		return nil
	}
	out := make(M, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func cloneRtpCapabilities(c domain.RtpCapabilities) domain.RtpCapabilities {
	out := c
	if c.Codecs != nil {
		out.Codecs = make([]domain.RtpCodecCapability, len(c.Codecs))
		for i, codec := range c.Codecs {
			codec.Parameters = cloneAnyMap(codec.Parameters)
			if codec.RtcpFeedback != nil {
				codec.RtcpFeedback = append(make([]domain.RtcpFeedback, 0, len(codec.RtcpFeedback)), codec.RtcpFeedback...)
			}
			out.Codecs[i] = codec
		}
	}
	if c.HeaderExtensions != nil {
		out.HeaderExtensions = append(make([]domain.RtpHeaderExtension, 0, len(c.HeaderExtensions)), c.HeaderExtensions...)
	}
	return out
}

func cloneRoom(r domain.Room) domain.Room {
	r.RtpCapabilities = cloneRtpCapabilities(r.RtpCapabilities)
	return r
}

func cloneRouter(r domain.Router) domain.Router {
	r.RtpCapabilities = cloneRtpCapabilities(r.RtpCapabilities)
	return r
}
