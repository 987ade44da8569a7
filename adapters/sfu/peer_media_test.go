package sfu

import (
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"
)

// sendRTP encrypts and sends; failures are reported with Errorf, so it may run on any goroutine.
func (p *testPeer) sendRTP(b []byte) {
	p.tb.Helper()
	p.SendRTP(b)
}

func (p *testPeer) sendRTCP(pkts ...rtcp.Packet) {
	p.tb.Helper()
	b, err := rtcp.Marshal(pkts)
	require.NoError(p.tb, err)
	p.SendRTCP(b)
}

// expectRTP waits for the next RTP packet that match accepts, skipping the others.
func (p *testPeer) expectRTP(wait time.Duration, match func(rtp.Packet) bool) (rtp.Packet, bool) {
	deadline := time.After(wait)
	for {
		select {
		case pkt := <-p.rtpIn:
			if match(pkt) {
				return pkt, true
			}
		case <-deadline:
			return rtp.Packet{}, false
		}
	}
}

// expectRTCP waits for the next RTCP packet that match accepts.
func (p *testPeer) expectRTCP(wait time.Duration, match func(rtcp.Packet) bool) (rtcp.Packet, bool) {
	deadline := time.After(wait)
	for {
		select {
		case pkt := <-p.rtcpIn:
			if match(pkt) {
				return pkt, true
			}
		case <-deadline:
			return nil, false
		}
	}
}

// drainRTP forgets what was received so far.
func (p *testPeer) drainRTP() {
	for {
		select {
		case <-p.rtpIn:
		default:
			return
		}
	}
}

func isPLIFor(ssrc uint32) func(rtcp.Packet) bool {
	return func(pkt rtcp.Packet) bool {
		pli, ok := pkt.(*rtcp.PictureLossIndication)
		return ok && pli.MediaSSRC == ssrc
	}
}

func ofSSRC(ssrc uint32) func(rtp.Packet) bool {
	return func(p rtp.Packet) bool { return p.SSRC == ssrc }
}
