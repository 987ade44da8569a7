// Package testrec is the packet handler of the transports' tests: it copies what a transport hands over (the
// slices are valid only during the call) into channels without ever blocking the transport, and waits for it.
package testrec

import (
	"testing"
	"time"
)

// Recorder queues copies of the RTP and RTCP packets it is given; past the queues' room they are dropped.
type Recorder struct {
	RTP  chan []byte
	RTCP chan []byte
}

// New returns a Recorder with room for rtpQueue RTP packets and 1024 RTCP packets.
func New(rtpQueue int) *Recorder {
	return &Recorder{RTP: make(chan []byte, rtpQueue), RTCP: make(chan []byte, 1024)}
}

// OnRTP queues a copy of pkt.
func (r *Recorder) OnRTP(pkt []byte) { offer(r.RTP, pkt) }

// OnRTCP queues a copy of pkt.
func (r *Recorder) OnRTCP(pkt []byte) { offer(r.RTCP, pkt) }

func offer(ch chan []byte, pkt []byte) {
	select {
	case ch <- append([]byte(nil), pkt...):
	default:
	}
}

// Next waits up to wait for one packet on ch.
func Next(tb testing.TB, ch <-chan []byte, wait time.Duration) []byte {
	tb.Helper()
	select {
	case p := <-ch:
		return p
	case <-time.After(wait):
		tb.Fatal("no packet arrived")
		return nil
	}
}

// None asserts that nothing arrives on ch for wait.
func None(tb testing.TB, ch <-chan []byte, wait time.Duration) {
	tb.Helper()
	select {
	case p := <-ch:
		tb.Fatalf("unexpected packet of %d bytes", len(p))
	case <-time.After(wait):
	}
}
