package sfu

import (
	"sync/atomic"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/bwe"
)

// mediaTotals are a node's media counters since it started (NodeStats): every endpoint of the node holds a
// pointer to the node's one instance and bumps it next to its own counters, so the totals outlive the transports,
// producers and consumers that made them. Plain atomics: the media path takes no lock for them.
//
// The receive side (bumped by the goroutine that reads a transport) and the send side (bumped by the goroutine
// that forwards) sit on separate cache lines, so that the mux goroutine and pipe goroutines
// forwarding on two cores do not also fight over the line the other side writes.
type mediaTotals struct {
	packetsIn, bytesIn atomic.Uint64 // RTP routed to a producer (media and RTX)
	_                  [48]byte
	packetsOut         atomic.Uint64 // RTP sent by consumers (forwarded and retransmitted)
	bytesOut           atomic.Uint64
	_                  [48]byte
	nacks, plis        atomic.Uint64 // feedback messages received for a known consumer (PLI counts FIR too)
	closedPipeDrops    atomic.Uint64 // kernel receive drops of pipe sockets already closed
	// layerSwitches[down][spatial]: simulcast consumers' bandwidth cap changes by direction and the spatial
	// layer switched to (allocation.go).
	layerSwitches [2][bwe.MaxSpatial]atomic.Uint64
	join          joinStats // the join timeline (join_timeline.go)
}

// layerSwitch counts one change of a consumer's bandwidth cap.
func (t *mediaTotals) layerSwitch(down bool, spatial int) {
	d := 0
	if down {
		d = 1
	}
	t.layerSwitches[d][min(max(spatial, 0), bwe.MaxSpatial-1)].Add(1)
}
