package e2e

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pion/stun/v3"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
)

// sprayTarget is a slave's WebRTC UDP port and the ICE username fragments of one live transport on it.
type sprayTarget struct {
	addr        *net.UDPAddr
	serverUfrag string // the transport's, from the server's candidates and ICE parameters
	clientUfrag string // the client's, so "server:client" is exactly the USERNAME a real check carries
	ssrcs       []uint32
}

var (
	candidateRe = regexp.MustCompile(`(?m)^a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host`)
	ufragRe     = regexp.MustCompile(`(?m)^a=ice-ufrag:(\S+)`)
)

// targetOf reads the server's candidate and both ufrags from a connected client's descriptions.
func targetOf(t *testing.T, pc *webrtc.PeerConnection, ssrcs ...uint32) sprayTarget {
	t.Helper()
	remote, local := pc.RemoteDescription(), pc.LocalDescription()
	require.NotNil(t, remote)
	require.NotNil(t, local)
	cand := candidateRe.FindStringSubmatch(remote.SDP)
	require.NotNil(t, cand, "no udp host candidate in the server's description:\n%s", remote.SDP)
	port, err := strconv.Atoi(cand[2])
	require.NoError(t, err)
	srv, cli := ufragRe.FindStringSubmatch(remote.SDP), ufragRe.FindStringSubmatch(local.SDP)
	require.NotNil(t, srv)
	require.NotNil(t, cli)
	return sprayTarget{addr: &net.UDPAddr{IP: net.ParseIP(cand[1]), Port: port}, serverUfrag: srv[1], clientUfrag: cli[1], ssrcs: ssrcs}
}

// packetClasses name what sprayPacket makes, by RFC 7983 first-byte range and shape.
var packetClasses = []string{
	"stun junk", "stun check, real username, wrong integrity", "stun check, unknown username", "stun check, no integrity",
	"stun check, bad fingerprint", "stun truncated", "stun response", "stun bogus attribute lengths",
	"dtls junk", "dtls handshake record", "rtp junk", "rtp header, real ssrc", "rtcp feedback-looking", "unknown first byte",
}

// sprayPacket makes one datagram of class k for the target.
func sprayPacket(r *rand.Rand, k int, tg sprayTarget) []byte {
	junk := func(first byte, n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		b[0] = first
		return b
	}
	check := func(username string, extra ...stun.Setter) []byte {
		setters := []stun.Setter{stun.TransactionID, stun.BindingRequest, stun.NewUsername(username),
			stun.RawAttribute{Type: stun.AttrICEControlling, Value: junk(0, 8)}, stun.RawAttribute{Type: stun.AttrUseCandidate},
			stun.RawAttribute{Type: stun.AttrPriority, Value: binary.BigEndian.AppendUint32(nil, r.Uint32())}}
		m, err := stun.Build(append(setters, extra...)...)
		if err != nil {
			panic(err)
		}
		return append([]byte(nil), m.Raw...)
	}
	username := tg.serverUfrag + ":" + tg.clientUfrag
	switch packetClasses[k] {
	case "stun junk":
		return junk(byte(r.UintN(4)), 1+r.IntN(600))
	case "stun check, real username, wrong integrity":
		return check(username, stun.NewShortTermIntegrity(fmt.Sprintf("wrong-%d", r.Uint64())), stun.Fingerprint)
	case "stun check, unknown username":
		return check(fmt.Sprintf("%x:%s", r.Uint64(), tg.clientUfrag), stun.NewShortTermIntegrity("x"), stun.Fingerprint)
	case "stun check, no integrity":
		return check(username, stun.Fingerprint)
	case "stun check, bad fingerprint":
		b := check(username, stun.NewShortTermIntegrity("y"), stun.Fingerprint)
		b[len(b)-1] ^= 0xFF
		return b
	case "stun truncated":
		b := check(username, stun.NewShortTermIntegrity("z"), stun.Fingerprint)
		return b[:r.IntN(len(b))+1]
	case "stun response":
		m, err := stun.Build(stun.TransactionID, []stun.MessageType{stun.BindingSuccess, stun.BindingError}[r.IntN(2)],
			&stun.XORMappedAddress{IP: net.IPv4(127, 0, 0, 1), Port: r.IntN(65536)}, stun.NewShortTermIntegrity("w"), stun.Fingerprint)
		if err != nil {
			panic(err)
		}
		return append([]byte(nil), m.Raw...)
	case "stun bogus attribute lengths":
		b := check(username, stun.NewShortTermIntegrity("v"))
		binary.BigEndian.PutUint16(b[2:4], uint16(r.UintN(65536)))   // message length
		binary.BigEndian.PutUint16(b[22:24], uint16(r.UintN(65536))) // first attribute's length
		return append(b, junk(byte(r.UintN(256)), r.IntN(64)+1)...)
	case "dtls junk":
		return junk(byte(20+r.UintN(44)), 1+r.IntN(1200))
	case "dtls handshake record":
		b := junk(22, 13+12+r.IntN(300))
		b[1], b[2] = 0xFE, 0xFD                                             // DTLS 1.2
		binary.BigEndian.PutUint16(b[3:5], 0)                               // epoch 0
		binary.BigEndian.PutUint16(b[11:13], uint16(len(b)-13+r.IntN(3)-1)) //nolint:gosec // small
		b[13] = 1                                                           // ClientHello
		return b
	case "rtp junk":
		return junk(byte(128+r.UintN(64)), 1+r.IntN(1400))
	case "rtp header, real ssrc":
		b := junk(0x80|byte(r.UintN(2))<<4, 12+r.IntN(1200))
		b[1] = byte(r.UintN(128))
		if len(tg.ssrcs) > 0 {
			binary.BigEndian.PutUint32(b[8:12], tg.ssrcs[r.IntN(len(tg.ssrcs))])
		}
		return b
	case "rtcp feedback-looking":
		b := junk(0x80|byte(r.UintN(32)), 8+4*r.IntN(40))
		b[1] = byte(200 + r.UintN(7))
		binary.BigEndian.PutUint16(b[2:4], uint16(len(b)/4-1)) //nolint:gosec // small
		return b
	default: // unknown first byte: 4..19, 64..127 or 192..255
		first := []byte{byte(4 + r.UintN(16)), byte(64 + r.UintN(64)), byte(192 + r.UintN(64))}[r.IntN(3)]
		return junk(first, 1+r.IntN(1000))
	}
}

// classOf names a datagram's RFC 7983 first-byte class, for the test's tally.
func classOf(b []byte) string {
	switch f := b[0]; {
	case f <= 3:
		return "stun"
	case f >= 20 && f <= 63:
		return "dtls"
	case f >= 128 && f <= 191:
		return "rtp/rtcp"
	default:
		return "other"
	}
}

// tally formats counts by class.
func tally(counts map[string]int) string {
	var parts []string
	for _, k := range []string{"stun", "dtls", "rtp/rtcp", "other"} {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	return strings.Join(parts, ", ")
}
