//go:build !race

// The race detector makes sync.Pool drop items on purpose, so allocation counts are only meaningful without it.

package pipetransport

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPacketPathAllocatesNothing(t *testing.T) {
	for _, mode := range benchModes {
		t.Run(mode.name, func(t *testing.T) {
			h := &hopHandler{got: make(chan struct{}, 1)}
			a := newTransport(t, mode.srtp, newRecorder())
			b := newTransport(t, mode.srtp, h)
			connect(t, a, b)
			connect(t, b, a)
			pkt := rtpPacket(t, 1234, 0, make([]byte, 1100))
			seq := uint16(0)
			hop := func() {
				seq++
				binary.BigEndian.PutUint16(pkt[2:], seq)
				require.NoError(t, a.WriteRTP(pkt))
				<-h.got
			}
			hop() // first packet of an SSRC creates its SRTP state, once
			// Counts every goroutine's allocations: the receiver's read, decrypt and delivery included.
			require.Zero(t, testing.AllocsPerRun(200, hop))
		})
	}
}
