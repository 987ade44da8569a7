package webrtctransport

import "sync/atomic"

// counters are updated on the packet path, so they are plain atomics.
type counters struct {
	bytesIn, packetsIn   atomic.Uint64
	bytesOut, packetsOut atomic.Uint64
	rtpIn, rtcpIn        atomic.Uint64
	rtpOut, rtcpOut      atomic.Uint64
	decryptFailures      atomic.Uint64
	dropped              atomic.Uint64
	stunRejected         atomic.Uint64
	sendErrors           atomic.Uint64
	iceRestarts          atomic.Uint64
	iceRestartsDone      atomic.Uint64
	tcpDropped           atomic.Uint64
}

func (c *counters) received(n int) {
	c.bytesIn.Add(uint64(n)) //nolint:gosec // n is a datagram length
	c.packetsIn.Add(1)
}

func (c *counters) sent(n int) {
	c.bytesOut.Add(uint64(n)) //nolint:gosec // n is a datagram length
	c.packetsOut.Add(1)
}

func (c *counters) snapshot() Stats {
	return Stats{
		BytesReceived:        c.bytesIn.Load(),
		PacketsReceived:      c.packetsIn.Load(),
		BytesSent:            c.bytesOut.Load(),
		PacketsSent:          c.packetsOut.Load(),
		RTPReceived:          c.rtpIn.Load(),
		RTCPReceived:         c.rtcpIn.Load(),
		RTPSent:              c.rtpOut.Load(),
		RTCPSent:             c.rtcpOut.Load(),
		DecryptFailures:      c.decryptFailures.Load(),
		Dropped:              c.dropped.Load(),
		STUNRejected:         c.stunRejected.Load(),
		SendErrors:           c.sendErrors.Load(),
		ICERestarts:          c.iceRestarts.Load(),
		ICERestartsCompleted: c.iceRestartsDone.Load(),
		TCPDropped:           c.tcpDropped.Load(),
	}
}

// muxCounters count what no transport could be blamed for.
type muxCounters struct {
	unknownSource atomic.Uint64
	unknownUfrag  atomic.Uint64
	malformed     atomic.Uint64
	tcpAccepted   atomic.Uint64
	tcpInvalid    atomic.Uint64
	tcpTimeouts   atomic.Uint64
}

func (c *muxCounters) snapshot() MuxStats {
	return MuxStats{
		UnknownSource: c.unknownSource.Load(),
		UnknownUfrag:  c.unknownUfrag.Load(),
		Malformed:     c.malformed.Load(),
		TCPAccepted:   c.tcpAccepted.Load(),
		TCPInvalid:    c.tcpInvalid.Load(),
		TCPTimeouts:   c.tcpTimeouts.Load(),
	}
}
