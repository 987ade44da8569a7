package client

import (
	"fmt"
	"strings"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// remoteSDP is the server's half of a transport's SDP, synthesized from its mediasoup JSON: mediasoup-client's
// RemoteSdp. The session part (ICE-lite, credentials, candidates, fingerprint, DTLS setup) never changes; media
// sections are appended in the order they were added and never reordered, which JSEP requires across
// renegotiations (RFC 8829 §5.2.2).
type remoteSDP struct {
	ice        domain.IceParameters
	candidates []domain.IceCandidate
	dtls       domain.DtlsFingerprint
	setup      string // a=setup of every section: "actpass" in our recv offers, "passive" in our send answers
	sessionID  uint64
	version    uint64
	sections   []mediaSection
	sctp       *domain.SctpParameters // the server's, for the application (data channel) section
}

// mediaSection is one m= section as the server sees it.
type mediaSection struct {
	mid        string
	kind       domain.MediaKind
	direction  string // the server's direction: "sendonly" (it sends to a consumer) or "recvonly" (from a producer)
	codecs     []domain.RtpCodecParameters
	extensions []domain.RtpHeaderExtensionParameters
	// rids are the simulcast layers the server receives (a section whose offer had "a=rid:<rid> send" lines).
	rids []string
	// Only for sections the server sends on (recv transports): the consumer's stream.
	ssrc, rtxSSRC   uint32
	cname, streamID string
	trackID         string
}

func newRemoteSDP(info domain.TransportInfo, setup string, sessionID uint64) (*remoteSDP, error) {
	if info.IceParameters.UsernameFragment == "" || info.IceParameters.Password == "" {
		return nil, fmt.Errorf("%w: transport %q has no ICE credentials", domain.ErrInvalidInput, info.ID)
	}
	if len(info.IceCandidates) == 0 {
		return nil, fmt.Errorf("%w: transport %q has no ICE candidates", domain.ErrInvalidInput, info.ID)
	}
	fp, err := pickFingerprint(info.DtlsParameters.Fingerprints)
	if err != nil {
		return nil, fmt.Errorf("transport %q: %w", info.ID, err)
	}
	return &remoteSDP{ice: info.IceParameters, candidates: info.IceCandidates, dtls: fp, setup: setup, sessionID: sessionID}, nil
}

// pickFingerprint chooses the one fingerprint Pion checks: sha-256 when the server offers it (every DTLS stack has
// it), else the last one, which is what mediasoup-client does.
func pickFingerprint(fps []domain.DtlsFingerprint) (domain.DtlsFingerprint, error) {
	if len(fps) == 0 {
		return domain.DtlsFingerprint{}, fmt.Errorf("%w: no DTLS fingerprint", domain.ErrInvalidInput)
	}
	for _, fp := range fps {
		if strings.EqualFold(fp.Algorithm, "sha-256") {
			return fp, nil
		}
	}
	return fps[len(fps)-1], nil
}

// section returns the index of the section with the mid, or -1.
func (r *remoteSDP) section(mid string) int {
	for i, s := range r.sections {
		if s.mid == mid {
			return i
		}
	}
	return -1
}

// upsert replaces the section with the same mid in place (order kept) or appends it.
func (r *remoteSDP) upsert(s mediaSection) {
	if i := r.section(s.mid); i >= 0 {
		r.sections[i] = s
		return
	}
	r.sections = append(r.sections, s)
}

// render writes the SDP; each call is a new version of the session (RFC 3264 §8: o= version increments).
func (r *remoteSDP) render() string {
	r.version++
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\r\n", args...) }
	line("v=0")
	line("o=sfu-cluster %d %d IN IP4 0.0.0.0", r.sessionID, r.version)
	line("s=-")
	line("t=0 0")
	line("a=ice-lite")
	line("a=fingerprint:%s %s", r.dtls.Algorithm, strings.ToUpper(r.dtls.Value))
	mids := make([]string, 0, len(r.sections))
	for _, s := range r.sections {
		mids = append(mids, s.mid)
	}
	line("a=group:BUNDLE %s", strings.Join(mids, " "))
	line("a=msid-semantic: WMS *")
	for _, s := range r.sections {
		r.renderSection(line, s)
	}
	return b.String()
}

func (r *remoteSDP) renderSection(line func(string, ...any), s mediaSection) {
	if s.kind == sectionKindApplication {
		r.renderDataSection(line, s)
		return
	}
	pts := make([]string, 0, len(s.codecs))
	for _, c := range s.codecs {
		pts = append(pts, fmt.Sprint(c.PayloadType))
	}
	line("m=%s 7 UDP/TLS/RTP/SAVPF %s", s.kind, strings.Join(pts, " "))
	line("c=IN IP4 127.0.0.1")
	r.renderTransport(line, s.mid)
	line("a=rtcp-mux")
	line("a=rtcp-rsize")
	line("a=%s", s.direction)
	for _, c := range s.codecs {
		line("a=rtpmap:%d %s", c.PayloadType, rtpmapValue(c))
		if f := fmtpLine(c.Parameters); f != "" {
			line("a=fmtp:%d %s", c.PayloadType, f)
		}
		for _, fb := range c.RtcpFeedback {
			line("a=rtcp-fb:%d %s", c.PayloadType, strings.TrimSpace(fb.Type+" "+fb.Parameter))
		}
	}
	for _, e := range s.extensions {
		line("a=extmap:%d %s", e.ID, e.URI)
	}
	if len(s.rids) > 0 {
		// RFC 8853 §5.1: the answerer accepts the offered send streams as recv streams.
		for _, rid := range s.rids {
			line("a=rid:%s recv", rid)
		}
		line("a=simulcast:recv %s", strings.Join(s.rids, ";"))
	}
	if s.ssrc == 0 {
		return
	}
	line("a=msid:%s %s", s.streamID, s.trackID)
	if s.rtxSSRC != 0 {
		line("a=ssrc-group:FID %d %d", s.ssrc, s.rtxSSRC)
	}
	for _, ssrc := range []uint32{s.ssrc, s.rtxSSRC} {
		if ssrc != 0 {
			line("a=ssrc:%d cname:%s", ssrc, s.cname)
			line("a=ssrc:%d msid:%s %s", ssrc, s.streamID, s.trackID)
		}
	}
}

// renderTransport writes what every section repeats: its mid, the ICE credentials and candidates, the DTLS setup.
func (r *remoteSDP) renderTransport(line func(string, ...any), mid string) {
	line("a=mid:%s", mid)
	line("a=ice-ufrag:%s", r.ice.UsernameFragment)
	line("a=ice-pwd:%s", r.ice.Password)
	for _, c := range r.candidates {
		line("a=%s", candidateLine(c))
	}
	line("a=end-of-candidates")
	line("a=setup:%s", r.setup)
}

// sectionKindApplication is the kind of the data channel section (RFC 8841).
const sectionKindApplication domain.MediaKind = "application"

// renderDataSection writes the SCTP-over-DTLS section (RFC 8841 §4, mediasoup-client's OfferMediaSection /
// AnswerMediaSection for SCTP).
func (r *remoteSDP) renderDataSection(line func(string, ...any), s mediaSection) {
	line("m=application 7 UDP/DTLS/SCTP webrtc-datachannel")
	line("c=IN IP4 127.0.0.1")
	r.renderTransport(line, s.mid)
	port, maxSize := domain.SctpPort, domain.DefaultMaxMessageSize
	if r.sctp != nil {
		port, maxSize = r.sctp.Port, r.sctp.MaxMessageSize
	}
	line("a=sctp-port:%d", port)
	line("a=max-message-size:%d", maxSize)
}

// candidateLine renders an ICE candidate (RFC 8839 §5.1); mediasoup's transports have component 1 only (rtcp-mux).
func candidateLine(c domain.IceCandidate) string {
	ip := c.IP
	if ip == "" {
		ip = c.Address
	}
	foundation := c.Foundation
	if foundation == "" {
		foundation = "0"
	}
	typ := c.Type
	if typ == "" {
		typ = "host"
	}
	s := fmt.Sprintf("candidate:%s 1 %s %d %s %d typ %s", foundation, strings.ToLower(c.Protocol), c.Priority, ip, c.Port, typ)
	if c.TCPType != "" {
		s += " tcptype " + c.TCPType
	}
	return s
}

// rtpmapValue is "opus/48000/2" or "VP8/90000".
func rtpmapValue(c domain.RtpCodecParameters) string {
	name := c.MimeType
	if i := strings.IndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	v := fmt.Sprintf("%s/%d", name, c.ClockRate)
	if c.Channels > 1 {
		v += fmt.Sprintf("/%d", c.Channels)
	}
	return v
}
