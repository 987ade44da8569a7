package pipetransport

import "sync/atomic"

// Stats are a transport's counters since New.
type Stats struct {
	// PacketsReceived and BytesReceived count datagrams from the connected remote, before decryption.
	PacketsReceived, BytesReceived uint64
	// PacketsSent and BytesSent count datagrams written, after encryption.
	PacketsSent, BytesSent uint64
	// RTPReceived and RTCPReceived count packets handed to the Handler.
	RTPReceived, RTCPReceived uint64
	RTPSent, RTCPSent         uint64
	// NotConnected counts datagrams received before Connect (all dropped).
	NotConnected uint64
	// UnknownSource counts datagrams from an address other than the connected remote (dropped).
	UnknownSource uint64
	// DecryptFailures counts SRTP/SRTCP packets that failed authentication or the replay check (dropped).
	DecryptFailures uint64
	// Malformed counts datagrams from the remote that are not RTP or RTCP (dropped).
	Malformed uint64
	// SCTPReceived and SCTPSent count SCTP packets (data channels) from and to the remote.
	SCTPReceived, SCTPSent uint64
	// ReceiveDrops counts datagrams the kernel dropped because the socket's receive buffer was full (0 where the
	// system does not say, or once closed): the reader fell behind.
	ReceiveDrops uint64
}

// Dropped is every datagram received and not delivered.
func (s Stats) Dropped() uint64 {
	return s.NotConnected + s.UnknownSource + s.DecryptFailures + s.Malformed
}

// counters are updated on the packet path, so they are plain atomics.
type counters struct {
	packetsIn, bytesIn   atomic.Uint64
	packetsOut, bytesOut atomic.Uint64
	rtpIn, rtcpIn        atomic.Uint64
	rtpOut, rtcpOut      atomic.Uint64
	notConnected         atomic.Uint64
	unknownSource        atomic.Uint64
	decryptFailures      atomic.Uint64
	malformed            atomic.Uint64
	sctpIn, sctpOut      atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		PacketsReceived: c.packetsIn.Load(),
		BytesReceived:   c.bytesIn.Load(),
		PacketsSent:     c.packetsOut.Load(),
		BytesSent:       c.bytesOut.Load(),
		RTPReceived:     c.rtpIn.Load(),
		RTCPReceived:    c.rtcpIn.Load(),
		RTPSent:         c.rtpOut.Load(),
		RTCPSent:        c.rtcpOut.Load(),
		NotConnected:    c.notConnected.Load(),
		UnknownSource:   c.unknownSource.Load(),
		DecryptFailures: c.decryptFailures.Load(),
		Malformed:       c.malformed.Load(),
		SCTPReceived:    c.sctpIn.Load(),
		SCTPSent:        c.sctpOut.Load(),
	}
}
