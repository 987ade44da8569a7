package sdp

import (
	"fmt"
	"strconv"
	"strings"

	psdp "github.com/pion/sdp/v3"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// parseSection reads one m= section. A section that cannot publish (another media, port 0, not sending) is
// marked rejected; a sending audio/video section with no common codec or no stream identity is an error.
func parseSection(md *psdp.MediaDescription, caps domain.RtpCapabilities) (Section, error) {
	s := Section{Media: md.MediaName.Media, Protos: md.MediaName.Protos, Formats: md.MediaName.Formats}
	s.MID, _ = md.Attribute("mid")
	kind := domain.MediaKind(s.Media)
	// Port 0 rejects a section unless it is a=bundle-only (RFC 8843 §6: GStreamer's webrtcbin offers its second
	// section so).
	_, bundleOnly := md.Attribute("bundle-only")
	if (kind != domain.MediaKindAudio && kind != domain.MediaKindVideo) || (md.MediaName.Port.Value == 0 && !bundleOnly) || !sends(md) {
		s.Rejected = true
		return s, nil
	}
	s.Kind = kind
	if s.MID == "" {
		return s, fmt.Errorf("%w: a=mid is required (the offer must be bundled)", domain.ErrInvalidInput)
	}
	codecs, err := parseCodecs(md)
	if err != nil {
		return s, err
	}
	if s.codec, s.rtx, err = chooseCodec(kind, codecs, caps); err != nil {
		return s, err
	}
	_, s.rsize = md.Attribute("rtcp-rsize")
	p := domain.RtpParameters{MID: s.MID, Codecs: []domain.RtpCodecParameters{s.codec.params(kind)},
		HeaderExtensions: []domain.RtpHeaderExtensionParameters{}, RTCP: domain.RtcpParameters{ReducedSize: s.rsize}}
	if s.rtx != nil {
		p.Codecs = append(p.Codecs, s.rtx.params(kind))
	}
	if p.HeaderExtensions, err = headerExtensions(md, kind, caps); err != nil {
		return s, err
	}
	if p.Encodings, p.RTCP.CNAME, s.rids, err = encodings(md, s.rtx != nil); err != nil {
		return s, err
	}
	s.RtpParameters = p
	return s, nil
}

// sends reports whether the section's direction has the offerer sending (sendrecv when absent, RFC 8866 §6.7).
func sends(md *psdp.MediaDescription) bool {
	for _, a := range md.Attributes {
		switch a.Key {
		case "recvonly", "inactive":
			return false
		case "sendonly", "sendrecv":
			return true
		}
	}
	return true
}

// headerExtensions keeps the offer's a=extmap lines whose URI the router supports for the kind, with the
// offer's ids (the client writes them).
func headerExtensions(md *psdp.MediaDescription, kind domain.MediaKind, caps domain.RtpCapabilities) ([]domain.RtpHeaderExtensionParameters, error) {
	out := []domain.RtpHeaderExtensionParameters{}
	for _, a := range md.Attributes {
		if a.Key != "extmap" {
			continue
		}
		var e psdp.ExtMap
		if err := e.Unmarshal("extmap:" + a.Value); err != nil {
			return nil, fmt.Errorf("%w: a=extmap:%s: %s", domain.ErrInvalidInput, a.Value, err.Error())
		}
		if e.URI == nil || !routerHasExtension(caps, kind, e.URI.String()) {
			continue
		}
		out = append(out, domain.RtpHeaderExtensionParameters{URI: e.URI.String(), ID: e.Value, Parameters: map[string]any{}})
	}
	return out, nil
}

func routerHasExtension(caps domain.RtpCapabilities, kind domain.MediaKind, uri string) bool {
	for _, h := range caps.HeaderExtensions {
		if h.Kind == kind && h.URI == uri {
			return true
		}
	}
	return false
}

// encodings reads the streams the client will send: by a=rid (with a=simulcast:send for their order), else by
// a=ssrc with a=ssrc-group:FID naming each stream's RTX (and a=ssrc-group:SIM for legacy simulcast).
func encodings(md *psdp.MediaDescription, hasRtx bool) ([]domain.RtpEncodingParameters, string, []string, error) {
	ssrcs, fid, sim, cname, err := ssrcLines(md)
	if err != nil {
		return nil, "", nil, err
	}
	if rids := ridsOf(md); len(rids) > 0 {
		out := make([]domain.RtpEncodingParameters, 0, len(rids))
		for _, r := range rids {
			out = append(out, domain.RtpEncodingParameters{RID: r})
		}
		return out, cname, rids, nil
	}
	primaries := sim
	if len(primaries) == 0 {
		for _, ssrc := range ssrcs {
			if !isRtxSSRC(fid, ssrc) {
				primaries = append(primaries, ssrc)
				break
			}
		}
	}
	if len(primaries) == 0 {
		return nil, "", nil, fmt.Errorf("%w: the section names no stream (a=ssrc or a=rid)", domain.ErrInvalidInput)
	}
	out := make([]domain.RtpEncodingParameters, 0, len(primaries))
	for _, ssrc := range primaries {
		e := domain.RtpEncodingParameters{SSRC: ssrc}
		if rtx, ok := fid[ssrc]; ok && hasRtx {
			e.RTX = &domain.RtxParameters{SSRC: rtx}
		}
		out = append(out, e)
	}
	return out, cname, nil, nil
}

func isRtxSSRC(fid map[uint32]uint32, ssrc uint32) bool {
	for _, rtx := range fid {
		if rtx == ssrc {
			return true
		}
	}
	return false
}

// ssrcLines reads a=ssrc (in order, with the first cname) and the FID (primary → rtx) and SIM groups.
func ssrcLines(md *psdp.MediaDescription) (ssrcs []uint32, fid map[uint32]uint32, sim []uint32, cname string, err error) {
	fid = map[uint32]uint32{}
	seen := map[uint32]bool{}
	for _, a := range md.Attributes {
		switch a.Key {
		case "ssrc":
			id, rest, _ := strings.Cut(a.Value, " ")
			ssrc, perr := parseSSRC(id)
			if perr != nil {
				return nil, nil, nil, "", perr
			}
			if !seen[ssrc] {
				seen[ssrc] = true
				ssrcs = append(ssrcs, ssrc)
			}
			if v, ok := strings.CutPrefix(rest, "cname:"); ok && cname == "" {
				cname = v
			}
		case "ssrc-group":
			fields := strings.Fields(a.Value)
			if len(fields) < 2 {
				continue
			}
			ids := make([]uint32, 0, len(fields)-1)
			for _, f := range fields[1:] {
				ssrc, perr := parseSSRC(f)
				if perr != nil {
					return nil, nil, nil, "", perr
				}
				ids = append(ids, ssrc)
			}
			switch fields[0] {
			case "FID":
				if len(ids) == 2 {
					fid[ids[0]] = ids[1]
				}
			case "SIM":
				sim = ids
			}
		}
	}
	return ssrcs, fid, sim, cname, nil
}

func parseSSRC(s string) (uint32, error) {
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("%w: a=ssrc %q is not a 32-bit ssrc", domain.ErrInvalidInput, s)
	}
	return uint32(v), nil
}

// ridsOf returns the send rids in a=simulcast:send order (RFC 8853; alternatives keep their first, "~" paused
// streams are still streams), or the a=rid send lines in order when there is no a=simulcast.
func ridsOf(md *psdp.MediaDescription) []string {
	var declared []string
	for _, a := range md.Attributes {
		if a.Key != "rid" {
			continue
		}
		if f := strings.Fields(a.Value); len(f) >= 2 && f[1] == "send" {
			declared = append(declared, f[0])
		}
	}
	sim, ok := md.Attribute("simulcast")
	if !ok {
		return declared
	}
	f := strings.Fields(sim)
	if len(f) < 2 || f[0] != "send" {
		return declared
	}
	var out []string
	for _, stream := range strings.Split(f[1], ";") {
		first, _, _ := strings.Cut(stream, ",")
		if first = strings.TrimPrefix(first, "~"); first != "" {
			out = append(out, first)
		}
	}
	return out
}
