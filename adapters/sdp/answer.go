package sdp

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	psdp "github.com/pion/sdp/v3"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Answer writes the SDP answer to a publishing offer from the slave's transport: ICE-lite with its credentials and
// candidates, its fingerprints, the a=setup opposite to the client's role, and for every section the codec, RTX
// and extensions chosen with the offer's payload types and ids (the client sends with them), recvonly.
func (o Offer) Answer(info domain.TransportInfo, sessionID uint64) ([]byte, error) {
	if len(info.IceCandidates) == 0 || len(info.DtlsParameters.Fingerprints) == 0 {
		return nil, fmt.Errorf("%w: transport %s has no candidates or fingerprints", domain.ErrSlaveFailed, info.ID)
	}
	first := info.IceCandidates[0]
	sd := session(sessionID)
	var bundle []string
	for _, s := range o.Sections {
		if !s.Rejected {
			bundle = append(bundle, s.MID)
		}
	}
	sd.WithValueAttribute("group", "BUNDLE "+strings.Join(bundle, " "))
	sd.WithValueAttribute("msid-semantic", " WMS")
	for _, s := range o.Sections {
		if s.Rejected {
			sd.WithMedia(rejected(s))
			continue
		}
		md := transportSection(s.Media, s.MID, "recvonly", info, first, answerSetup(o.Dtls.Role), s.rsize)
		for _, e := range s.RtpParameters.HeaderExtensions {
			md.WithValueAttribute("extmap", strconv.Itoa(e.ID)+" "+e.URI)
		}
		writeCodec(md, s.codec)
		if s.rtx != nil {
			writeCodec(md, s.rtx)
		}
		if len(s.rids) > 0 {
			for _, r := range s.rids {
				md.WithValueAttribute("rid", r+" recv")
			}
			md.WithValueAttribute("simulcast", "recv "+strings.Join(s.rids, ";"))
		}
		candidates(md, info)
		sd.WithMedia(md)
	}
	return sd.Marshal()
}

func writeCodec(md *psdp.MediaDescription, c *sdpCodec) {
	pt := strconv.Itoa(c.pt)
	md.MediaName.Formats = append(md.MediaName.Formats, pt)
	rtpmap := pt + " " + c.name + "/" + strconv.Itoa(c.clockRate)
	if c.channels > 0 {
		rtpmap += "/" + strconv.Itoa(c.channels)
	}
	md.WithValueAttribute("rtpmap", rtpmap)
	for _, f := range c.feedback {
		fb := pt + " " + f.Type
		if f.Parameter != "" {
			fb += " " + f.Parameter
		}
		md.WithValueAttribute("rtcp-fb", fb)
	}
	if c.fmtp != "" {
		md.WithValueAttribute("fmtp", pt+" "+c.fmtp)
	}
}

// rejected answers a section we do not take with port 0 (RFC 8829 §5.3.1), its formats echoed.
func rejected(s Section) *psdp.MediaDescription {
	formats := s.Formats
	if len(formats) == 0 {
		formats = []string{"0"}
	}
	md := &psdp.MediaDescription{
		MediaName:             psdp.MediaName{Media: s.Media, Port: psdp.RangedPort{Value: 0}, Protos: s.Protos, Formats: formats},
		ConnectionInformation: connection("0.0.0.0"),
	}
	if s.MID != "" {
		md.WithValueAttribute("mid", s.MID)
	}
	md.WithPropertyAttribute("inactive")
	return md
}

func connection(ip string) *psdp.ConnectionInformation {
	addrType := "IP4"
	if parsed := net.ParseIP(ip); parsed != nil && parsed.To4() == nil {
		addrType = "IP6"
	}
	return &psdp.ConnectionInformation{NetworkType: "IN", AddressType: addrType, Address: &psdp.Address{Address: ip}}
}

// candidate writes an a=candidate value (RFC 8839 §5.1; tcptype per RFC 6544).
func candidate(c domain.IceCandidate) string {
	ip := c.IP
	if ip == "" {
		ip = c.Address
	}
	line := fmt.Sprintf("%s 1 %s %d %s %d typ %s", c.Foundation, strings.ToLower(c.Protocol), c.Priority, ip, c.Port, c.Type)
	if c.TCPType != "" {
		line += " tcptype " + c.TCPType
	}
	return line
}
