package sfu

import (
	"github.com/pion/rtcp"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"
)

// The send side of an endpoint: every packet the engine sends on a transport goes through here and is counted.

// writeRTP sends on the transport, counting the outcome. Errors are not returned: a consumer whose transport is
// not connected yet or closing loses the packet, which is what RTP expects.
func (e *endpoint) writeRTP(pkt []byte) {
	out := e.out.Load()
	if out == nil {
		e.stats.writeErrors.Add(1)
		return
	}
	if err := out.w.WriteRTP(pkt); err != nil {
		e.stats.writeErrors.Add(1)
		return
	}
	e.stats.rtpOut.Add(1)
	e.totals.packetsOut.Add(1)
	e.totals.bytesOut.Add(uint64(len(pkt)))
}

// appendRTP is writeRTP into a fan-out's batch (w is e's batchWriter).
func (e *endpoint) appendRTP(w batchWriter, b *webrtctransport.Batch, pkt []byte) {
	if err := w.AppendRTP(b, pkt); err != nil {
		e.stats.writeErrors.Add(1)
		return
	}
	e.stats.rtpOut.Add(1)
	e.totals.packetsOut.Add(1)
	e.totals.bytesOut.Add(uint64(len(pkt)))
}

func (e *endpoint) writeRTCP(pkt []byte) {
	out := e.out.Load()
	if out == nil {
		e.stats.writeErrors.Add(1)
		return
	}
	if err := out.w.WriteRTCP(pkt); err != nil {
		e.stats.writeErrors.Add(1)
		return
	}
	e.stats.rtcpOut.Add(1)
}

// writeRTCPPackets marshals and sends a compound packet (control path and report loop only: it allocates).
func (e *endpoint) writeRTCPPackets(pkts ...rtcp.Packet) {
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		e.stats.writeErrors.Add(1)
		return
	}
	e.writeRTCP(b)
}
