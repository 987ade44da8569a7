package sfu

import (
	"sync/atomic"
	"time"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"
)

// webrtcTransport is a WebRTC transport of a router: a webrtctransport.Transport on the node's shared socket,
// the endpoint that routes its packets, and the producers and consumers created on it.
//
// Lifecycle: new (ICE/DTLS parameters handed out) → Connect (remote DTLS parameters) → connected (DTLS done:
// its consumers may send) → closed (by the control API, or on the media side: then reported), never reused.
type webrtcTransport struct {
	*endpoint
	node      *Node
	router    *router
	t         *webrtctransport.Transport
	connected atomic.Bool
	times     transportTimes // ICE and DTLS done, for the join timeline
	// rx, tx: wire bitrates each way, sampled by the report loop (node_stats_transport.go).
	rx, tx rateMeter

	// Guarded by Node.mu.
	nextMid   int
	producers map[string]*producer
	consumers map[string]*consumer
}

var _ webrtctransport.PacketHandler = (*webrtcTransport)(nil)

// OnRTP routes one decrypted RTP packet (the mux read goroutine); arrival, the kernel's receive time on Linux,
// is what transport-cc feedback reports to the sender.
func (w *webrtcTransport) OnRTP(b []byte, arrival time.Time) {
	w.receiveRTP(b, int64(arrival.Sub(epoch)), nanotime())
}

// OnConnected runs on the transport's DTLS goroutine once SRTP is ready: consumers created so far may start.
// A consumer created concurrently either is in the table now or sees connected set when it registers.
func (w *webrtcTransport) OnConnected() {
	now := nanotime()
	w.times.dtls.Store(now)
	if at := w.t.ICESelectedAt(); !at.IsZero() {
		w.times.ice.Store(now - int64(time.Since(at)))
	}
	w.connected.Store(true)
	w.node.markConnected(w)
	for _, c := range w.consumerList() {
		c.setConnected()
	}
}
