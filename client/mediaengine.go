package client

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/webrtc/v4"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// maxOneByteExtID is the largest id of a one-byte RTP header extension (RFC 8285 §4.2); Pion's offers use those.
const maxOneByteExtID = 14

// newMediaEngine registers the capabilities' codecs with their payload types, and their header extensions so that
// Pion's first offer uses the router's ids.
func newMediaEngine(caps domain.RtpCapabilities) (*webrtc.MediaEngine, error) {
	me := &webrtc.MediaEngine{}
	for _, c := range caps.Codecs {
		params := webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{
				MimeType:     c.MimeType,
				ClockRate:    uint32(c.ClockRate),
				Channels:     uint16(c.Channels),
				SDPFmtpLine:  fmtpLine(c.Parameters),
				RTCPFeedback: toPionFeedback(c.RtcpFeedback),
			},
			PayloadType: webrtc.PayloadType(c.PreferredPayloadType),
		}
		if err := me.RegisterCodec(params, pionKind(c.Kind)); err != nil {
			return nil, fmt.Errorf("client: register codec %s/%d: %w", c.MimeType, c.PreferredPayloadType, err)
		}
	}
	if err := registerExtensions(me, caps.HeaderExtensions); err != nil {
		return nil, err
	}
	return me, nil
}

// registerExtensions registers extensions in id order. Pion gives the n-th registered extension the lowest free id,
// so an id the router does not use is held by a placeholder registered for no kind (it never reaches an SDP).
// Ids above 14 cannot be kept this way; Pion then picks its own, and Produce reports the ids really offered.
func registerExtensions(me *webrtc.MediaEngine, exts []domain.RtpHeaderExtension) error {
	byID := map[int][]domain.RtpHeaderExtension{}
	seen := map[string]bool{}
	for _, e := range exts {
		key := e.URI + "/" + string(e.Kind)
		if seen[key] {
			continue
		}
		seen[key] = true
		byID[e.PreferredID] = append(byID[e.PreferredID], e)
	}
	ids := make([]int, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	next := 1
	for _, id := range ids {
		for ; id <= maxOneByteExtID && next < id; next++ {
			placeholder := webrtc.RTPHeaderExtensionCapability{URI: fmt.Sprintf("urn:sfu-cluster:unused-extension-id:%d", next)}
			if err := me.RegisterHeaderExtension(placeholder, webrtc.RTPCodecType(0)); err != nil {
				return fmt.Errorf("client: reserve extension id %d: %w", next, err)
			}
		}
		for _, e := range byID[id] {
			if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: e.URI}, pionKind(e.Kind)); err != nil {
				return fmt.Errorf("client: register extension %s: %w", e.URI, err)
			}
		}
		if id >= next {
			next = id + 1
		}
	}
	return nil
}

// newInterceptors installs what the advertised feedback promises: NACK generation and answering, and RTCP
// sender/receiver reports. Not Pion's defaults, which would also add TWCC and simulcast extensions the device
// never advertised.
func newInterceptors() (*interceptor.Registry, error) {
	reg := &interceptor.Registry{}
	gen, err := nack.NewGeneratorInterceptor()
	if err != nil {
		return nil, fmt.Errorf("client: nack generator: %w", err)
	}
	resp, err := nack.NewResponderInterceptor()
	if err != nil {
		return nil, fmt.Errorf("client: nack responder: %w", err)
	}
	reg.Add(gen)
	reg.Add(resp)
	// Like a browser, stamp what we send with transport-wide sequence numbers when the server negotiated them
	// (its router capabilities list transport-cc): the server then answers with transport-cc feedback.
	tw, err := twcc.NewHeaderExtensionInterceptor()
	if err != nil {
		return nil, fmt.Errorf("client: transport-cc: %w", err)
	}
	reg.Add(tw)
	// And, like a browser, report the arrival of what we receive with transport-wide sequence numbers (a
	// consumer that negotiated transport-cc): the server's downlink estimate lives on that feedback.
	fb, err := twcc.NewSenderInterceptor()
	if err != nil {
		return nil, fmt.Errorf("client: transport-cc feedback: %w", err)
	}
	reg.Add(fb)
	if err := webrtc.ConfigureRTCPReports(reg); err != nil {
		return nil, fmt.Errorf("client: rtcp reports: %w", err)
	}
	return reg, nil
}

func pionKind(k domain.MediaKind) webrtc.RTPCodecType {
	switch k {
	case domain.MediaKindAudio:
		return webrtc.RTPCodecTypeAudio
	case domain.MediaKindVideo:
		return webrtc.RTPCodecTypeVideo
	default:
		return webrtc.RTPCodecType(0)
	}
}

func domainKind(k webrtc.RTPCodecType) domain.MediaKind {
	switch k {
	case webrtc.RTPCodecTypeAudio:
		return domain.MediaKindAudio
	case webrtc.RTPCodecTypeVideo:
		return domain.MediaKindVideo
	default:
		return ""
	}
}

// fmtpLine renders codec parameters as an a=fmtp value, keys sorted so that SDPs are stable.
func fmtpLine(p domain.CodecParameters) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+p.String(k))
	}
	return strings.Join(parts, ";")
}

// parseFmtp is fmtpLine's inverse; numeric values become numbers, as mediasoup's JSON has them.
func parseFmtp(line string) domain.CodecParameters {
	out := domain.CodecParameters{}
	for _, part := range strings.Split(line, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || k == "" {
			continue
		}
		if n, err := strconv.Atoi(v); err == nil && strconv.Itoa(n) == v {
			out[k] = float64(n)
		} else {
			out[k] = v
		}
	}
	return out
}

func toPionFeedback(fb []domain.RtcpFeedback) []webrtc.RTCPFeedback {
	out := make([]webrtc.RTCPFeedback, 0, len(fb))
	for _, f := range fb {
		out = append(out, webrtc.RTCPFeedback{Type: f.Type, Parameter: f.Parameter})
	}
	return out
}
