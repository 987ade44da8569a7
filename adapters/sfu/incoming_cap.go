package sfu

import (
	"slices"

	"github.com/pion/rtcp"
)

// The publishers' cap (mediasoup's maxIncomingBitrate): a WebRTC transport that receives producers tells their
// sender, once per report interval, a REMB (draft-alvestrand-rmcat-remb) of MaxIncomingBitrate for all their
// media SSRCs. Browsers cap their send-side estimate at a REMB even with transport-cc (mediasoup sends the same
// "limitation REMB"), so one publisher cannot flood a slave whatever its uplink.

// sendIncomingCap sends the REMB if the transport caps what it receives and has producers (report loop, full
// reports only; the calls for a transport's other producers find it sent already).
func (e *endpoint) sendIncomingCap(now int64) {
	if last := e.lastCap.Load(); e.maxIncoming <= 0 || last != 0 && now-last < int64(reportInterval)/2 {
		return
	}
	t := e.table.Load()
	ssrcs := make([]uint32, 0, len(t.producers))
	for ssrc, r := range t.producers {
		if !r.rtx {
			ssrcs = append(ssrcs, ssrc)
		}
	}
	if len(ssrcs) == 0 {
		return
	}
	slices.Sort(ssrcs)
	e.lastCap.Store(now)
	e.writeRTCPPackets(&rtcp.ReceiverEstimatedMaximumBitrate{SenderSSRC: e.rtcpSSRC, Bitrate: float32(e.maxIncoming), SSRCs: ssrcs})
}
