package bwe

import "github.com/pion/rtcp"

// PacketResult is what feedback says about one sent packet.
type PacketResult struct {
	SendTime int64 // nanoseconds, our clock
	Size     int
	Received bool
	Arrival  int64 // nanoseconds on the receiver's clock (its reference time base), when received
}

// referenceTimeUnit is the transport-cc reference time's unit: 64 ms (draft-holmer-rmcat-transport-wide-cc-
// extensions-01 §3.1).
const referenceTimeUnit = int64(64_000_000)

// Results appends to dst what fb reports about packets h remembers (packets it no longer does are skipped), in
// sequence order. The receive deltas (multiples of 250 µs, §3.1.5) accumulate from the reference time; a
// received packet has one delta each, a lost one none.
func Results(dst []PacketResult, fb *rtcp.TransportLayerCC, h *History, now int64) []PacketResult {
	arrival := int64(fb.ReferenceTime) * referenceTimeUnit
	seq, remaining, delta := fb.BaseSequenceNumber, int(fb.PacketStatusCount), 0
	status := func(symbol uint16) {
		if remaining <= 0 {
			return
		}
		remaining--
		r := PacketResult{}
		if symbol == rtcp.TypeTCCPacketReceivedSmallDelta || symbol == rtcp.TypeTCCPacketReceivedLargeDelta {
			if delta >= len(fb.RecvDeltas) {
				seq++
				return
			}
			arrival += fb.RecvDeltas[delta].Delta * 1000
			delta++
			r.Received, r.Arrival = true, arrival
		}
		if sent, size, ok := h.Lookup(seq, now); ok {
			r.SendTime, r.Size = sent, size
			dst = append(dst, r)
		}
		seq++
	}
	for _, chunk := range fb.PacketChunks {
		switch c := chunk.(type) {
		case *rtcp.RunLengthChunk:
			for range c.RunLength {
				status(c.PacketStatusSymbol)
			}
		case *rtcp.StatusVectorChunk:
			for _, s := range c.SymbolList {
				status(s)
			}
		}
	}
	return dst
}
