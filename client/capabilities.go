package client

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Header extensions the client negotiates: the ones Pion writes or tolerates without an interceptor of ours.
const (
	uriMid         = "urn:ietf:params:rtp-hdrext:sdes:mid"
	uriAbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
	uriAudioLevel  = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
	uriTransportCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
)

const (
	mimeOpus = "audio/opus"
	mimeVP8  = "video/VP8"
)

// supportedFeedback is the RTCP feedback Pion honours per kind: NACK through the nack interceptors, PLI and FIR
// through RTPSender.ReadRTCP (SyntheticSource answers both with a keyframe), transport-cc through the header
// extension interceptor that stamps what we send, as a browser does (SyntheticSource counts the feedback; this
// client paces its synthetic media and runs no bandwidth estimation on it).
var supportedFeedback = map[domain.MediaKind][]domain.RtcpFeedback{
	domain.MediaKindAudio: {{Type: "nack"}, {Type: "transport-cc"}},
	domain.MediaKindVideo: {{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}, {Type: "transport-cc"}},
}

// supportedExtensions maps each negotiated URI to the kinds it is used with.
var supportedExtensions = map[string][]domain.MediaKind{
	uriMid:         {domain.MediaKindAudio, domain.MediaKindVideo},
	uriAbsSendTime: {domain.MediaKindAudio, domain.MediaKindVideo},
	uriAudioLevel:  {domain.MediaKindAudio},
	uriTransportCC: {domain.MediaKindAudio, domain.MediaKindVideo},
}

// recvCapabilities restricts the router's capabilities to what this client handles, keeping the router's payload
// types and extension ids, as mediasoup-client's getRecvRtpCapabilities does with the browser's own capabilities:
// opus, VP8 and VP8's rtx; feedback and extensions intersected with what Pion handles.
func recvCapabilities(router domain.RtpCapabilities) (domain.RtpCapabilities, error) {
	out := domain.RtpCapabilities{Codecs: []domain.RtpCodecCapability{}, HeaderExtensions: []domain.RtpHeaderExtension{}}
	for _, mime := range []string{mimeOpus, mimeVP8} {
		codec, ok := findCodec(router.Codecs, mime)
		if !ok {
			continue
		}
		out.Codecs = append(out.Codecs, withFeedback(codec, supportedFeedback[codec.Kind]))
		if rtx, ok := findRtx(router.Codecs, codec.PreferredPayloadType); ok && codec.Kind == domain.MediaKindVideo {
			out.Codecs = append(out.Codecs, withFeedback(rtx, nil))
		}
	}
	if len(out.Codecs) == 0 {
		return out, fmt.Errorf("%w: the router offers neither opus nor VP8", domain.ErrUnsupported)
	}
	for _, ext := range router.HeaderExtensions {
		if kindIn(ext.Kind, supportedExtensions[ext.URI]) && hasKind(out.Codecs, ext.Kind) {
			out.HeaderExtensions = append(out.HeaderExtensions, ext)
		}
	}
	return out, nil
}

// withoutTransportCC drops transport-cc's feedback and header extension from caps.
func withoutTransportCC(caps domain.RtpCapabilities) domain.RtpCapabilities {
	caps.HeaderExtensions = slices.DeleteFunc(caps.HeaderExtensions, func(e domain.RtpHeaderExtension) bool { return e.URI == uriTransportCC })
	for i := range caps.Codecs {
		caps.Codecs[i].RtcpFeedback = slices.DeleteFunc(caps.Codecs[i].RtcpFeedback, func(f domain.RtcpFeedback) bool { return f.Type == "transport-cc" })
	}
	return caps
}

func findCodec(codecs []domain.RtpCodecCapability, mime string) (domain.RtpCodecCapability, bool) {
	for _, c := range codecs {
		if strings.EqualFold(c.MimeType, mime) {
			return c, true
		}
	}
	return domain.RtpCodecCapability{}, false
}

func findRtx(codecs []domain.RtpCodecCapability, apt int) (domain.RtpCodecCapability, bool) {
	for _, c := range codecs {
		if n, ok := c.Parameters.Number("apt"); ok && domain.IsRtxMime(c.MimeType) && n == apt {
			return c, true
		}
	}
	return domain.RtpCodecCapability{}, false
}

// withFeedback returns a copy of c whose feedback is the intersection of the router's and ours.
func withFeedback(c domain.RtpCodecCapability, ours []domain.RtcpFeedback) domain.RtpCodecCapability {
	params := make(domain.CodecParameters, len(c.Parameters)) // {} rather than null in a request body
	maps.Copy(params, c.Parameters)
	c.Parameters = params
	fb := []domain.RtcpFeedback{}
	for _, f := range c.RtcpFeedback {
		for _, o := range ours {
			if strings.EqualFold(f.Type, o.Type) && strings.EqualFold(f.Parameter, o.Parameter) {
				fb = append(fb, o)
				break
			}
		}
	}
	c.RtcpFeedback = fb
	return c
}

func kindIn(k domain.MediaKind, kinds []domain.MediaKind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

func hasKind(codecs []domain.RtpCodecCapability, k domain.MediaKind) bool {
	for _, c := range codecs {
		if c.Kind == k {
			return true
		}
	}
	return false
}
