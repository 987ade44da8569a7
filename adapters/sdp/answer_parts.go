package sdp

import (
	"strings"

	psdp "github.com/pion/sdp/v3"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// session is an answer's session level: ICE-lite.
func session(sessionID uint64) *psdp.SessionDescription {
	sd := &psdp.SessionDescription{
		Origin: psdp.Origin{Username: "-", SessionID: sessionID, SessionVersion: 2, NetworkType: "IN", AddressType: "IP4",
			UnicastAddress: "127.0.0.1"},
		SessionName:      "-",
		TimeDescriptions: []psdp.TimeDescription{{Timing: psdp.Timing{}}},
	}
	sd.WithPropertyAttribute("ice-lite")
	return sd
}

// transportSection starts an answer section on the transport: mid, direction, ICE credentials, fingerprints,
// a=setup, rtcp-mux (and rtcp-rsize when offered).
func transportSection(media, mid, direction string, info domain.TransportInfo, first domain.IceCandidate, setup string, rsize bool) *psdp.MediaDescription {
	md := &psdp.MediaDescription{
		MediaName:             psdp.MediaName{Media: media, Port: psdp.RangedPort{Value: first.Port}, Protos: []string{"UDP", "TLS", "RTP", "SAVPF"}},
		ConnectionInformation: connection(first.IP),
	}
	md.WithValueAttribute("mid", mid)
	md.WithPropertyAttribute(direction)
	md.WithICECredentials(info.IceParameters.UsernameFragment, info.IceParameters.Password)
	for _, f := range info.DtlsParameters.Fingerprints {
		md.WithFingerprint(f.Algorithm, strings.ToUpper(f.Value))
	}
	md.WithValueAttribute("setup", setup)
	md.WithPropertyAttribute("rtcp-mux")
	if rsize {
		md.WithPropertyAttribute("rtcp-rsize")
	}
	return md
}

// candidates writes the transport's candidates and a=end-of-candidates (ICE-lite gathers nothing later).
func candidates(md *psdp.MediaDescription, info domain.TransportInfo) {
	for _, c := range info.IceCandidates {
		md.WithValueAttribute("candidate", candidate(c))
	}
	md.WithPropertyAttribute("end-of-candidates")
}
