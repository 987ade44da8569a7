package webrtctransport

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestArrivalIsTheKernelsReceiveTime: while the read goroutine is busy (the handler holds it), a peer sends
// packets 40 ms apart; they wait in the socket and are read back to back once it is free. On Linux the arrival
// times the handler gets keep the send spacing (the kernel stamped them as they came), so transport-cc feedback
// built from them shows the sender no queueing that was only ours; elsewhere they are the read times.
func TestArrivalIsTheKernelsReceiveTime(t *testing.T) {
	const packets, spacing = 6, 40 * time.Millisecond
	_, tt, peer := newConnected(t, "client")
	payload := bytes.Repeat([]byte{0xAB}, 200)
	send := func(seq uint16) { peer.SendRaw(peer.EncryptRTP(rtpPacket(t, 1111, seq, payload))) }

	hold := make(chan struct{})
	tt.rec.hold.Store(&hold)
	send(1) // the read goroutine takes it and stays in OnRTP until hold closes
	sentAt := make([]time.Time, 0, packets)
	for i := range packets {
		sentAt = append(sentAt, time.Now())
		send(uint16(2 + i))                            //nolint:gosec // small
		time.Sleep(time.Until(sentAt[i].Add(spacing))) // paces the sender (the read goroutine is held meanwhile)
	}
	readFrom := time.Now()
	close(hold)

	<-tt.rec.arrivals // the packet that held the read goroutine
	arrivals := make([]time.Time, 0, packets)
	for range packets {
		select {
		case a := <-tt.rec.arrivals:
			arrivals = append(arrivals, a)
		case <-time.After(waitLong):
			t.Fatalf("%d of %d packets arrived", len(arrivals), packets)
		}
	}
	if runtime.GOOS != "linux" {
		for _, a := range arrivals {
			require.False(t, a.Before(readFrom), "read times elsewhere than Linux")
		}
		t.Skip("kernel receive times are Linux only")
	}
	// Each arrival lies between its send and the moment the read goroutine was free: the kernel's time, not the
	// read's (read times would all be after readFrom, microseconds apart), so consecutive arrivals are at least
	// a send spacing apart, less how late the earlier one was stamped after its send.
	for i, a := range arrivals {
		require.True(t, a.Before(readFrom), "packet %d: the kernel's time, before the read goroutine was free", i)
		require.False(t, a.Before(sentAt[i]), "packet %d: not before it was sent", i)
	}
	t.Logf("arrival gaps: %v (sent %s apart, read back to back after %s)", gaps(arrivals), spacing, time.Since(readFrom))
}

func gaps(ts []time.Time) []time.Duration {
	out := make([]time.Duration, 0, len(ts))
	for i := 1; i < len(ts); i++ {
		out = append(out, ts[i].Sub(ts[i-1]).Round(time.Millisecond))
	}
	return out
}
