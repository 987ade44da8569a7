package webrtctransport

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testpeer"
)

// TestTwoTransportsConcurrently: two peers on one Mux send and receive at
// the same time; nothing crosses over.
func TestTwoTransportsConcurrently(t *testing.T) {
	m := newTestMux(t)
	type pair struct {
		tt   *testTransport
		peer *testpeer.Peer
		ssrc uint32
	}
	pairs := []pair{
		{newTestTransport(t, m, Params{ID: "a"}), newTestPeer(t, m.LocalAddr()), 0xA},
		{newTestTransport(t, m, Params{ID: "b"}), newTestPeer(t, m.LocalAddr()), 0xB},
	}
	for i, p := range pairs {
		connectPeer(t, p.tt, p.peer, []string{"client", "server"}[i])
	}

	const n = 200
	var wg sync.WaitGroup
	for _, p := range pairs {
		wg.Add(2)
		go func() { // peer → transport
			defer wg.Done()
			for i := range n {
				payload := bytes.Repeat([]byte{byte(p.ssrc)}, 100+i%50)
				p.peer.SendRaw(p.peer.EncryptRTP(rtpPacket(t, p.ssrc, uint16(i), payload))) //nolint:gosec
			}
		}()
		go func() { // transport → peer
			defer wg.Done()
			for i := range n {
				if err := p.tt.WriteRTP(rtpPacket(t, p.ssrc<<4, uint16(i), []byte{byte(p.ssrc)})); err != nil { //nolint:gosec
					t.Error(err)

					return
				}
			}
		}()
	}
	wg.Wait()

	for _, p := range pairs {
		for range n {
			var got rtp.Packet
			require.NoError(t, got.Unmarshal(recv(t, p.tt.rec.RTP)))
			require.Equal(t, p.ssrc, got.SSRC)
			require.Equal(t, bytes.Repeat([]byte{byte(p.ssrc)}, 100+int(got.SequenceNumber)%50), got.Payload)
		}
		for range n {
			plain, _, err := p.peer.RecvMedia(waitLong)
			require.NoError(t, err)
			var got rtp.Packet
			require.NoError(t, got.Unmarshal(plain))
			require.Equal(t, p.ssrc<<4, got.SSRC)
		}
		require.Zero(t, p.tt.Stats().DecryptFailures)
	}
}

// TestGarbageSpray: random datagrams of every first-byte class, from a
// stranger and from the connected peer's own address, neither crash the
// mux nor disturb the connected transport.
func TestGarbageSpray(t *testing.T) {
	m, tt, peer := newConnected(t, "client")
	stranger := newTestPeer(t, m.LocalAddr())
	rng := rand.New(rand.NewPCG(1, 2)) //nolint:gosec // reproducible garbage

	ufrag, _ := tt.ICEParameters()
	firstBytes := []byte{0, 1, 2, 3, 16, 19, 20, 21, 22, 23, 63, 64, 79, 127, 128, 144, 191, 192, 255}
	for i := range 3000 {
		pkt := make([]byte, 1+rng.IntN(1400))
		for j := range pkt {
			pkt[j] = byte(rng.Uint32())
		}
		pkt[0] = firstBytes[i%len(firstBytes)]
		switch i % 5 {
		case 0: // STUN header with the magic cookie and random attributes
			if len(pkt) >= 20 {
				binary.BigEndian.PutUint32(pkt[4:8], 0x2112A442)          // RFC 5389 §6 magic cookie
				binary.BigEndian.PutUint16(pkt[2:4], uint16(len(pkt)-20)) //nolint:gosec
			}
		case 1: // a binding request for our ufrag with a bogus integrity
			pkt = testpeer.BindingRequest(t, ufrag, "wrong-password-wrong-password-xx", i%2 == 0).Raw
		case 2: // RTCP-looking second byte
			if len(pkt) > 1 {
				pkt[1] = byte(192 + rng.IntN(32))
			}
		}
		if i%3 == 0 {
			peer.SendRaw(pkt)
		} else {
			stranger.SendRaw(pkt)
		}
		if i%200 == 0 {
			time.Sleep(time.Millisecond) // let the mux and the kernel breathe
		}
	}

	// Still connected, media still flows both ways.
	require.Eventually(t, func() bool {
		return m.Stats().UnknownSource > 0 && tt.Stats().DecryptFailures > 0
	}, waitLong, 10*time.Millisecond)
	require.True(t, tt.Connected())
	plain := rtpPacket(t, 42, 60000, []byte("still here"))
	peer.SendRaw(peer.EncryptRTP(plain))
	for {
		got := recv(t, tt.rec.RTP)
		if bytes.Equal(got, plain) {
			break
		}
	}
	back := rtpPacket(t, 43, 1, []byte("and back"))
	require.NoError(t, tt.WriteRTP(back))
	got, _, err := peer.RecvMedia(waitLong)
	require.NoError(t, err)
	require.Equal(t, back, got)
	select {
	case reason := <-tt.closed:
		t.Fatalf("transport closed by garbage: %v", reason)
	default:
	}
	t.Logf("mux %+v; transport decrypt failures %d, dropped %d, stun rejected %d",
		m.Stats(), tt.Stats().DecryptFailures, tt.Stats().Dropped, tt.Stats().STUNRejected)
}
