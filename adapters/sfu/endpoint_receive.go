package sfu

import "github.com/pion/rtcp"

// The receive side of an endpoint: what a transport's read goroutine hands over, routed by SSRC.

// OnRTP routes one decrypted RTP packet, received now, to its producer. Runs on the transport's read goroutine.
func (e *endpoint) OnRTP(b []byte) {
	now := nanotime()
	e.receiveRTP(b, now, now)
}

// receiveRTP is OnRTP for a packet read at now that reached the host at arrival (nanotime's clock, at most now).
// Transport-cc feedback reports arrival, so a read goroutine that got the packet late (a starved host) does not
// show the sender's congestion controller a queue that is only ours; the rest of the path runs on the read time.
func (e *endpoint) receiveRTP(b []byte, arrival, now int64) {
	pkt := &e.rxPkt
	if err := pkt.Unmarshal(b); err != nil {
		e.stats.malformed.Add(1)
		return
	}
	arrival = min(arrival, now)
	// Before routing: the sender's bandwidth probes (RTX padding, or SSRCs of no producer) count for its estimate.
	e.twcc.record(pkt, arrival)
	t := e.table.Load()
	r, ok := t.producers[pkt.SSRC]
	if !ok && len(t.learning) > 0 {
		r, ok = e.learnSSRC(pkt, t)
	}
	if !ok {
		e.stats.unknownSSRC.Add(1)
		return
	}
	e.stats.rtpIn.Add(1)
	e.totals.packetsIn.Add(1)
	e.totals.bytesIn.Add(uint64(len(b)))
	r.p.receive(pkt, r, now)
}

// twccTick sends the transport-cc feedback that is due (the report loop calls it for every producer; the
// interval check makes the extra calls for a transport's other producers free).
func (e *endpoint) twccTick(now int64) {
	if pkts := e.twcc.due(now); len(pkts) > 0 {
		e.writeRTCPPackets(pkts...)
	}
}

// OnRTCP routes one decrypted compound RTCP packet: sender reports to producers, feedback to consumers.
// RTCP is rare next to RTP, so pion/rtcp's allocating parser is fine here.
func (e *endpoint) OnRTCP(b []byte) {
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		e.stats.malformed.Add(1)
		return
	}
	e.stats.rtcpIn.Add(1)
	now := nanotime()
	t := e.table.Load()
	for _, pkt := range pkts {
		switch v := pkt.(type) {
		case *rtcp.SenderReport:
			if r, ok := t.producers[v.SSRC]; ok && !r.rtx {
				r.p.onSenderReport(r.enc, v.NTPTime, v.RTPTime, now)
			}
		case *rtcp.PictureLossIndication:
			if c := t.consumers[v.MediaSSRC]; c != nil {
				e.totals.plis.Add(1)
				c.fb.plis.Add(1)
				c.onKeyframeRequest(v.MediaSSRC, now)
			}
		case *rtcp.FullIntraRequest:
			for _, f := range v.FIR {
				if c := t.consumers[f.SSRC]; c != nil {
					e.totals.plis.Add(1)
					c.fb.firs.Add(1)
					c.onKeyframeRequest(f.SSRC, now)
				}
			}
		case *rtcp.TransportLayerNack:
			if c := t.consumers[v.MediaSSRC]; c != nil {
				e.totals.nacks.Add(1)
				c.fb.nacks.Add(1)
				c.onNack(v.MediaSSRC, v.Nacks)
			}
		case *rtcp.TransportLayerCC:
			if e.cc != nil {
				e.cc.onFeedback(v, now)
			}
		case *rtcp.ReceiverEstimatedMaximumBitrate:
			if e.cc != nil {
				e.cc.onREMB(v.Bitrate, now)
			}
		case *rtcp.ReceiverReport:
			for _, rr := range v.Reports {
				if c := t.consumers[rr.SSRC]; c != nil {
					c.onReceiverReport(rr, now)
				}
			}
		}
	}
	if e.onRTCP != nil {
		e.onRTCP(pkts)
	}
}
