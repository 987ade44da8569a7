package pipetransport

import (
	"bytes"
	"context"
	"testing"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

const marker = "PLAINTEXT-MARKER-0123456789"

// What goes on the wire: with SRTP no byte of the payload is readable by someone on the path (RTP payload and the
// whole RTCP compound are encrypted), without it everything is.
func TestSniffedDatagramsAreEncryptedWithSRTP(t *testing.T) {
	for _, tc := range []struct {
		name     string
		srtp     bool
		readable bool
	}{
		{name: "srtp", srtp: true, readable: false},
		{name: "plain", srtp: false, readable: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sniffer, addr := rawSocket(t)
			a := newTransport(t, tc.srtp, newRecorder())
			var remote *domain.SrtpParameters
			if tc.srtp {
				remote = newTransport(t, true, newRecorder()).SrtpParameters()
			}
			require.NoError(t, a.Connect(context.Background(), addr.Addr().String(), int(addr.Port()), remote))

			require.NoError(t, a.WriteRTP(rtpPacket(t, 42, 1, []byte(marker))))
			require.Equal(t, tc.readable, bytes.Contains(readRaw(t, sniffer), []byte(marker)), "RTP payload on the wire")

			sdes, err := rtcp.Marshal([]rtcp.Packet{&rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
				Source: 42, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: marker}},
			}}}})
			require.NoError(t, err)
			require.NoError(t, a.WriteRTCP(sdes))
			require.Equal(t, tc.readable, bytes.Contains(readRaw(t, sniffer), []byte(marker)), "RTCP on the wire")
		})
	}
}

// Only the address the master gave to Connect is heard; a valid packet from anywhere else is dropped.
func TestPacketsFromAnotherSourceAreDropped(t *testing.T) {
	for _, srtp := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "srtp"}[srtp], func(t *testing.T) {
			rb := newRecorder()
			b := newTransport(t, srtp, rb)
			intruder, _ := rawSocket(t)
			pkt := rtpPacket(t, 7, 1, []byte("spoof"))

			sendRaw(t, intruder, b, pkt)
			eventually(t, func() bool { return b.Stats().NotConnected == 1 }, "dropped before Connect")

			a := newTransport(t, srtp, newRecorder())
			connect(t, b, a)
			sendRaw(t, intruder, b, pkt)
			sendRaw(t, intruder, b, rtcpPacket(t, 7))
			eventually(t, func() bool { return b.Stats().UnknownSource == 2 }, "dropped from an unknown source")
			none(t, rb.RTP)
			none(t, rb.RTCP)
			require.Zero(t, b.Stats().PacketsReceived, "nothing counted as from the remote")
		})
	}
}

// A receiver given the wrong key authenticates nothing: every packet is counted and dropped, the loop goes on.
func TestWrongKeyCountsDecryptFailures(t *testing.T) {
	ra, rb := newRecorder(), newRecorder()
	a, b := newTransport(t, true, ra), newTransport(t, true, rb)
	stranger := newTransport(t, true, newRecorder())
	connect(t, a, b)
	ip, port := a.LocalTuple()
	require.NoError(t, b.Connect(context.Background(), ip, port, stranger.SrtpParameters()))

	require.NoError(t, a.WriteRTP(rtpPacket(t, 9, 1, []byte("secret"))))
	require.NoError(t, a.WriteRTCP(rtcpPacket(t, 9)))
	require.NoError(t, a.WriteRTP(rtpPacket(t, 9, 2, []byte("secret"))))
	eventually(t, func() bool { return b.Stats().DecryptFailures == 3 }, "three decrypt failures")
	none(t, rb.RTP)
	none(t, rb.RTCP)
	require.Equal(t, uint64(3), b.Stats().PacketsReceived)

	// The other direction still works: the failures broke nothing.
	pkt := rtpPacket(t, 10, 1, []byte("fine"))
	require.NoError(t, b.WriteRTP(pkt))
	require.Equal(t, pkt, next(t, ra.RTP))
}

// A captured SRTP/SRTCP packet sent again from the remote's own address is delivered once (RFC 3711 §3.3.2).
func TestReplayedPacketsAreDropped(t *testing.T) {
	relay, relayAddr := rawSocket(t)
	a := newTransport(t, true, newRecorder())
	rb := newRecorder()
	b := newTransport(t, true, rb)
	// a sends to the relay (which captures), b hears the relay as if it were a.
	require.NoError(t, a.Connect(context.Background(), relayAddr.Addr().String(), int(relayAddr.Port()), b.SrtpParameters()))
	require.NoError(t, b.Connect(context.Background(), relayAddr.Addr().String(), int(relayAddr.Port()), a.SrtpParameters()))

	media, ctrl := rtpPacket(t, 5, 100, []byte("once")), rtcpPacket(t, 5)
	require.NoError(t, a.WriteRTP(media))
	capturedRTP := readRaw(t, relay)
	require.NoError(t, a.WriteRTCP(ctrl))
	capturedRTCP := readRaw(t, relay)

	for range 2 {
		sendRaw(t, relay, b, capturedRTP)
		sendRaw(t, relay, b, capturedRTCP)
	}
	require.Equal(t, media, next(t, rb.RTP))
	require.Equal(t, ctrl, next(t, rb.RTCP))
	eventually(t, func() bool { return b.Stats().DecryptFailures == 2 }, "both replays rejected")
	none(t, rb.RTP)
	none(t, rb.RTCP)
	require.Equal(t, uint64(1), b.Stats().RTPReceived)
	require.Equal(t, uint64(1), b.Stats().RTCPReceived)
}

// Garbage from the remote itself (not version 2) is counted, not delivered.
func TestMalformedFromRemoteIsCounted(t *testing.T) {
	peer, peerAddr := rawSocket(t)
	rb := newRecorder()
	b := newTransport(t, false, rb)
	require.NoError(t, b.Connect(context.Background(), peerAddr.Addr().String(), int(peerAddr.Port()), nil))

	sendRaw(t, peer, b, []byte{0x00, 0x01, 0x02})
	sendRaw(t, peer, b, []byte{0x80})
	sendRaw(t, peer, b, []byte{0x80, 0x60, 0, 1}) // RTP shorter than its fixed header
	eventually(t, func() bool { return b.Stats().Malformed == 3 }, "malformed counted")
	none(t, rb.RTP)
}
