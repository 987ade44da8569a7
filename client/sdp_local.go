package client

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Reading Pion's own SDP: what a send transport's offer says about each m-section, so the remote answer can
// mirror it and Produce can report the producer's rtpParameters.

// parseSDP parses an SDP text.
func parseSDP(text string) (*sdp.SessionDescription, error) {
	var s sdp.SessionDescription
	if err := s.UnmarshalString(text); err != nil {
		return nil, fmt.Errorf("client: parse SDP: %w", err)
	}
	return &s, nil
}

// mediaByMid finds the m-section with the mid.
func mediaByMid(s *sdp.SessionDescription, mid string) (*sdp.MediaDescription, bool) {
	for _, md := range s.MediaDescriptions {
		if v, ok := md.Attribute("mid"); ok && v == mid {
			return md, true
		}
	}
	return nil, false
}

// sectionCodecs reads the codecs of one m-section in m= line order (rtpmap, fmtp and rtcp-fb lines).
func sectionCodecs(md *sdp.MediaDescription) []domain.RtpCodecParameters {
	byPT := map[int]*domain.RtpCodecParameters{}
	order := []int{}
	for _, f := range md.MediaName.Formats {
		pt, err := strconv.Atoi(f)
		if err != nil {
			continue
		}
		byPT[pt] = &domain.RtpCodecParameters{PayloadType: pt, Parameters: domain.CodecParameters{}, RtcpFeedback: []domain.RtcpFeedback{}}
		order = append(order, pt)
	}
	for _, a := range md.Attributes {
		ptText, rest, _ := strings.Cut(a.Value, " ")
		pt, err := strconv.Atoi(ptText)
		c := byPT[pt]
		if err != nil || c == nil {
			continue
		}
		switch a.Key {
		case "rtpmap": // "opus/48000/2"
			parts := strings.Split(rest, "/")
			c.MimeType = md.MediaName.Media + "/" + parts[0]
			if len(parts) > 1 {
				c.ClockRate, _ = strconv.Atoi(parts[1])
			}
			if len(parts) > 2 {
				c.Channels, _ = strconv.Atoi(parts[2])
			}
		case "fmtp":
			c.Parameters = parseFmtp(rest)
		case "rtcp-fb":
			typ, param, _ := strings.Cut(rest, " ")
			c.RtcpFeedback = append(c.RtcpFeedback, domain.RtcpFeedback{Type: typ, Parameter: param})
		}
	}
	out := make([]domain.RtpCodecParameters, 0, len(order))
	for _, pt := range order {
		if byPT[pt].MimeType != "" {
			out = append(out, *byPT[pt])
		}
	}
	return out
}

// sectionExtensions reads the a=extmap lines of one m-section.
func sectionExtensions(md *sdp.MediaDescription) []domain.RtpHeaderExtensionParameters {
	out := []domain.RtpHeaderExtensionParameters{}
	for _, a := range md.Attributes {
		if a.Key != "extmap" {
			continue
		}
		var e sdp.ExtMap
		if err := e.Unmarshal("extmap:" + a.Value); err != nil || e.URI == nil {
			continue
		}
		out = append(out, domain.RtpHeaderExtensionParameters{URI: e.URI.String(), ID: e.Value, Parameters: map[string]any{}})
	}
	return out
}

// sectionCNAME returns the cname of the section's first a=ssrc line.
func sectionCNAME(md *sdp.MediaDescription) string {
	for _, a := range md.Attributes {
		if a.Key != "ssrc" {
			continue
		}
		if _, attr, ok := strings.Cut(a.Value, " "); ok && strings.HasPrefix(attr, "cname:") {
			return strings.TrimPrefix(attr, "cname:")
		}
	}
	return ""
}

// sectionDirection returns the section's direction attribute ("sendrecv" when absent, RFC 3264 §5.1).
func sectionDirection(md *sdp.MediaDescription) string {
	for _, a := range md.Attributes {
		switch a.Key {
		case "sendrecv", "sendonly", "recvonly", "inactive":
			return a.Key
		}
	}
	return "sendrecv"
}

// answerSection mirrors one section of our offer as the server answers it: same mid, codecs and extension ids
// (they are the router's: the MediaEngine has nothing else), opposite direction.
func answerSection(md *sdp.MediaDescription) mediaSection {
	mid, _ := md.Attribute("mid")
	if md.MediaName.Media == string(sectionKindApplication) {
		return mediaSection{mid: mid, kind: sectionKindApplication}
	}
	dir := "inactive"
	switch sectionDirection(md) {
	case "sendonly", "sendrecv":
		dir = "recvonly"
	}
	return mediaSection{
		mid:        mid,
		kind:       domain.MediaKind(md.MediaName.Media),
		direction:  dir,
		codecs:     sectionCodecs(md),
		extensions: sectionExtensions(md),
		rids:       sectionSendRIDs(md),
	}
}

// sectionSendRIDs lists the section's "a=rid:<rid> send" streams (RFC 8851), in order.
func sectionSendRIDs(md *sdp.MediaDescription) []string {
	var rids []string
	for _, a := range md.Attributes {
		if a.Key != "rid" {
			continue
		}
		if f := strings.Fields(a.Value); len(f) >= 2 && f[1] == "send" {
			rids = append(rids, f[0])
		}
	}
	return rids
}
