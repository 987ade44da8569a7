package sdp

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Sent is what one answer section sends: a consumer's id and rtpParameters (payload types the player offered).
type Sent struct {
	ConsumerID    string
	RtpParameters domain.RtpParameters
}

// Answer writes the WHEP answer: ICE-lite with the slave's candidates and fingerprint, and per offer section either
// the consumer sending into it (sendonly: its codecs, a=ssrc with cname and msid, a=ssrc-group:FID for RTX) or a
// rejected section (port 0). sent is index-aligned with the sections (nil: nothing sent there).
func (o ViewOffer) Answer(info domain.TransportInfo, sent []*Sent, sessionID uint64) ([]byte, error) {
	if len(info.IceCandidates) == 0 || len(info.DtlsParameters.Fingerprints) == 0 {
		return nil, fmt.Errorf("%w: transport %s has no candidates or fingerprints", domain.ErrSlaveFailed, info.ID)
	}
	if len(sent) != len(o.Sections) {
		return nil, fmt.Errorf("sdp: %d sections, %d senders", len(o.Sections), len(sent))
	}
	sd := session(sessionID)
	var bundle []string
	for i, s := range o.Sections {
		if sent[i] != nil {
			bundle = append(bundle, s.MID)
		}
	}
	sd.WithValueAttribute("group", "BUNDLE "+strings.Join(bundle, " "))
	sd.WithValueAttribute("msid-semantic", " WMS")
	first := info.IceCandidates[0]
	for i, s := range o.Sections {
		if sent[i] == nil {
			sd.WithMedia(rejected(Section{Media: s.Media, Protos: s.Protos, Formats: s.Formats, MID: s.MID}))
			continue
		}
		md := transportSection(s.Media, s.MID, "sendonly", info, first, answerSetup(o.Dtls.Role), s.rsize)
		p := sent[i].RtpParameters
		for _, c := range p.Codecs {
			writeCodec(md, codecLines(c))
		}
		stream, track := "sfu-cluster", sent[i].ConsumerID
		md.WithValueAttribute("msid", stream+" "+track)
		if len(p.Encodings) > 0 {
			e := p.Encodings[0]
			if e.RTX != nil {
				md.WithValueAttribute("ssrc-group", fmt.Sprintf("FID %d %d", e.SSRC, e.RTX.SSRC))
			}
			for _, ssrc := range []uint32{e.SSRC, rtxSSRC(e)} {
				if ssrc == 0 {
					continue
				}
				md.WithValueAttribute("ssrc", fmt.Sprintf("%d cname:%s", ssrc, p.RTCP.CNAME))
				md.WithValueAttribute("ssrc", fmt.Sprintf("%d msid:%s %s", ssrc, stream, track))
			}
		}
		candidates(md, info)
		sd.WithMedia(md)
	}
	return sd.Marshal()
}

func rtxSSRC(e domain.RtpEncodingParameters) uint32 {
	if e.RTX == nil {
		return 0
	}
	return e.RTX.SSRC
}

// codecLines is a codec of rtpParameters as SDP lines; fmtp keys sorted.
func codecLines(c domain.RtpCodecParameters) *sdpCodec {
	_, name, _ := strings.Cut(c.MimeType, "/")
	out := &sdpCodec{pt: c.PayloadType, name: name, clockRate: c.ClockRate, feedback: c.RtcpFeedback}
	if strings.HasPrefix(c.MimeType, "audio/") && c.Channels > 1 {
		out.channels = c.Channels
	}
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(c.Parameters)) {
		switch v := c.Parameters[k].(type) {
		case float64:
			kv = append(kv, k+"="+strconv.FormatFloat(v, 'f', -1, 64))
		default:
			kv = append(kv, fmt.Sprintf("%s=%v", k, v))
		}
	}
	out.fmtp = strings.Join(kv, ";")
	return out
}
