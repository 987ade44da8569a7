package webrtctransport

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/stun/v3"
	"go.uber.org/zap"
)

// maxDatagram is the largest UDP payload; reading into anything smaller
// would silently truncate oversized (bogus or jumbo) datagrams.
const maxDatagram = 1 << 16

// packetKind is what a datagram is, by its first byte (RFC 7983 §7).
type packetKind uint8

const (
	kindUnknown packetKind = iota
	kindSTUN
	kindDTLS
	kindRTP
	kindRTCP
)

// classify implements RFC 7983 §7's ranges: 0–3 STUN, 20–63 DTLS, 128–191
// RTP/RTCP; within the last, RFC 5761 §4 tells RTCP by a second byte
// (packet type, marker bit included) of 192–223.
func classify(pkt []byte) packetKind {
	if len(pkt) == 0 {
		return kindUnknown
	}
	switch b := pkt[0]; {
	case b <= 3:
		return kindSTUN
	case b >= 20 && b <= 63:
		return kindDTLS
	case b >= 128 && b <= 191:
		if len(pkt) < 2 {
			return kindUnknown
		}
		if pt := pkt[1]; pt >= 192 && pt <= 223 {
			return kindRTCP
		}

		return kindRTP
	default:
		return kindUnknown
	}
}

// rxState is owned by the read goroutine: buffers and parsers reused for
// every datagram so that receiving allocates nothing in steady state.
type rxState struct {
	buf     []byte
	plain   []byte
	rtpHdr  rtp.Header
	rtcpHdr rtcp.Header
	req     stun.Message
	resp    stun.Message
	sys     rxSys
	// arrival is when the packet being handled reached the host (arrivalOf), for PacketHandler.OnRTP.
	arrival time.Time
}

func (m *Mux) readLoop(l *listener) {
	defer close(l.readDone)
	rx := &rxState{buf: make([]byte, maxDatagram), plain: make([]byte, maxDatagram)}
	for {
		n, src, stamp, err := l.sock.readFrom(rx.buf, rx)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Transient (e.g. an ICMP error surfaced on the socket): keep going.
			m.log.Debug("webrtc mux read", zap.Error(err))

			continue
		}
		// A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; key and
		// answer with the plain IPv4 form.
		src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
		rx.arrival = arrivalOf(stamp)
		m.dispatch(rx, rx.buf[:n], src, l)
	}
}

// dispatch routes one datagram. Only STUN may come from an unknown address;
// everything else must come from an address ICE validated for a transport.
func (m *Mux) dispatch(rx *rxState, pkt []byte, src netip.AddrPort, l *listener) {
	kind := classify(pkt)
	if kind == kindSTUN {
		m.handleSTUN(rx, pkt, path{addr: src, l: l})

		return
	}
	t := m.byAddrPort(src)
	if t == nil {
		if kind == kindUnknown {
			m.stats.malformed.Add(1)
		} else {
			m.stats.unknownSource.Add(1)
		}

		return
	}
	t.handlePacket(rx, kind, pkt)
}

// handlePacket takes a non-STUN packet from one of t's validated paths (a UDP address or an ICE-TCP connection).
func (t *Transport) handlePacket(rx *rxState, kind packetKind, pkt []byte) {
	t.stats.received(len(pkt))
	switch kind {
	case kindDTLS:
		t.handleDTLS(pkt)
	case kindRTP:
		t.handleRTP(rx, pkt)
	case kindRTCP:
		t.handleRTCP(rx, pkt)
	case kindSTUN, kindUnknown:
		t.stats.dropped.Add(1)
	}
}
