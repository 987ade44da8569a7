package sdp

import (
	"fmt"
	"strconv"
	"strings"

	psdp "github.com/pion/sdp/v3"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// sdpCodec is one payload type of an m= section: its a=rtpmap, a=fmtp and a=rtcp-fb lines.
type sdpCodec struct {
	pt        int
	name      string // as the offer spells it (VP8, opus, H264, rtx)
	clockRate int
	channels  int
	fmtp      string
	feedback  []domain.RtcpFeedback
}

func (c *sdpCodec) mime(kind domain.MediaKind) string { return string(kind) + "/" + c.name }

// params is the codec as a producer's rtpParameters carry it; fmtp values that are numbers become numbers, as
// mediasoup-client's sdp-transform parses them.
func (c *sdpCodec) params(kind domain.MediaKind) domain.RtpCodecParameters {
	p := domain.RtpCodecParameters{MimeType: c.mime(kind), PayloadType: c.pt, ClockRate: c.clockRate, Channels: c.channels,
		Parameters: domain.CodecParameters{}, RtcpFeedback: c.feedback}
	if p.RtcpFeedback == nil {
		p.RtcpFeedback = []domain.RtcpFeedback{}
	}
	for _, kv := range strings.Split(c.fmtp, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || k == "" {
			continue
		}
		if n, err := strconv.Atoi(v); err == nil && strconv.Itoa(n) == v {
			p.Parameters[k] = n
		} else {
			p.Parameters[k] = v
		}
	}
	return p
}

// parseCodecs reads the section's payload types in m= order (the offerer's preference).
func parseCodecs(md *psdp.MediaDescription) ([]*sdpCodec, error) {
	byPT := map[int]*sdpCodec{}
	var order []*sdpCodec
	for _, f := range md.MediaName.Formats {
		pt, err := strconv.Atoi(f)
		if err != nil || pt < 0 || pt > 127 {
			return nil, fmt.Errorf("%w: payload type %q is not 0..127", domain.ErrInvalidInput, f)
		}
		if byPT[pt] == nil {
			byPT[pt] = &sdpCodec{pt: pt}
			order = append(order, byPT[pt])
		}
	}
	var wildcard []domain.RtcpFeedback
	for _, a := range md.Attributes {
		id, rest, _ := strings.Cut(a.Value, " ")
		switch a.Key {
		case "rtpmap", "fmtp", "rtcp-fb":
		default:
			continue
		}
		if a.Key == "rtcp-fb" && id == "*" {
			wildcard = append(wildcard, feedbackOf(rest))
			continue
		}
		pt, err := strconv.Atoi(id)
		if err != nil || byPT[pt] == nil {
			continue // a line for a payload type the m= line does not list
		}
		c := byPT[pt]
		switch a.Key {
		case "rtpmap":
			parts := strings.Split(rest, "/")
			c.name = parts[0]
			if len(parts) > 1 {
				c.clockRate, _ = strconv.Atoi(parts[1])
			}
			if len(parts) > 2 {
				c.channels, _ = strconv.Atoi(parts[2])
			}
		case "fmtp":
			c.fmtp = rest
		case "rtcp-fb":
			c.feedback = append(c.feedback, feedbackOf(rest))
		}
	}
	for _, c := range order {
		c.feedback = append(c.feedback, wildcard...)
	}
	return order, nil
}

func feedbackOf(s string) domain.RtcpFeedback {
	typ, param, _ := strings.Cut(strings.TrimSpace(s), " ")
	return domain.RtcpFeedback{Type: typ, Parameter: param}
}

// chooseCodec picks the offer's first media codec the router has (mediasoup's matching: mimeType, clock rate,
// channels, H264 profile and packetization-mode, VP9 profile), its RTX when offered, and keeps the feedback both
// sides support.
func chooseCodec(kind domain.MediaKind, codecs []*sdpCodec, caps domain.RtpCapabilities) (*sdpCodec, *sdpCodec, error) {
	var offered []string
	for _, c := range codecs {
		if c.name == "" || domain.IsRtxMime(c.mime(kind)) {
			continue
		}
		offered = append(offered, c.name)
		for _, rc := range caps.Codecs {
			if rc.Kind != kind || !ortc.MatchCodecs(c.params(kind), rc, true) {
				continue
			}
			c.feedback = commonFeedback(c.feedback, rc.RtcpFeedback)
			return c, rtxOf(kind, c.pt, codecs, caps), nil
		}
	}
	var router []string
	for _, rc := range caps.Codecs {
		if rc.Kind == kind && !domain.IsRtxMime(rc.MimeType) {
			router = append(router, rc.MimeType)
		}
	}
	return nil, nil, fmt.Errorf("%w: no common %s codec: the offer has %v, the room supports %v",
		domain.ErrInvalidInput, kind, offered, router)
}

// rtxOf returns the offer's rtx codec for payload type apt when the router's capabilities have RTX for the kind.
func rtxOf(kind domain.MediaKind, apt int, codecs []*sdpCodec, caps domain.RtpCapabilities) *sdpCodec {
	routerRtx := false
	for _, rc := range caps.Codecs {
		routerRtx = routerRtx || (rc.Kind == kind && domain.IsRtxMime(rc.MimeType))
	}
	if !routerRtx {
		return nil
	}
	for _, c := range codecs {
		if !domain.IsRtxMime(c.mime(kind)) {
			continue
		}
		if n, ok := c.params(kind).Parameters.Number("apt"); ok && n == apt {
			c.feedback = nil
			return c
		}
	}
	return nil
}

func commonFeedback(offer, router []domain.RtcpFeedback) []domain.RtcpFeedback {
	out := []domain.RtcpFeedback{}
	for _, f := range offer {
		for _, r := range router {
			if f == r && !containsFeedback(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

func containsFeedback(list []domain.RtcpFeedback, f domain.RtcpFeedback) bool {
	for _, x := range list {
		if x == f {
			return true
		}
	}
	return false
}
