package pipetransport

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

var benchModes = []struct {
	name string
	srtp bool
}{{"plain", false}, {"srtp-aead-aes-128-gcm", true}}

// BenchmarkPipeWriteRTP is the sender's cost per packet: encrypt (with SRTP) and one sendto to a socket nobody
// reads (the kernel drops what overflows it; the sendto is paid all the same).
func BenchmarkPipeWriteRTP(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode.name, func(b *testing.B) {
			_, sinkAddr := rawSocket(b)
			a := newTransport(b, mode.srtp, newRecorder())
			var remote = newTransport(b, mode.srtp, newRecorder()).SrtpParameters()
			require.NoError(b, a.Connect(context.Background(), sinkAddr.Addr().String(), int(sinkAddr.Port()), remote))
			pkt := rtpPacket(b, 1234, 0, make([]byte, 1100))
			b.SetBytes(int64(len(pkt)))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				binary.BigEndian.PutUint16(pkt[2:], uint16(i)) //nolint:gosec // sequence numbers wrap
				if err := a.WriteRTP(pkt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// hopHandler signals each delivered RTP packet.
type hopHandler struct{ got chan struct{} }

func (h *hopHandler) OnRTP([]byte)  { h.got <- struct{}{} }
func (h *hopHandler) OnRTCP([]byte) {}

// BenchmarkPipeHop is one hop end to end: A encrypts and sends, B's read goroutine receives, decrypts and calls
// its handler, which the benchmark waits for before sending the next packet (latency, not throughput).
func BenchmarkPipeHop(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode.name, func(b *testing.B) {
			h := &hopHandler{got: make(chan struct{}, 1)}
			a := newTransport(b, mode.srtp, newRecorder())
			dst := newTransport(b, mode.srtp, h)
			connect(b, a, dst)
			connect(b, dst, a)
			pkt := rtpPacket(b, 1234, 0, make([]byte, 1100))
			b.SetBytes(int64(len(pkt)))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				binary.BigEndian.PutUint16(pkt[2:], uint16(i)) //nolint:gosec // sequence numbers wrap
				if err := a.WriteRTP(pkt); err != nil {
					b.Fatal(err)
				}
				<-h.got
			}
		})
	}
}
