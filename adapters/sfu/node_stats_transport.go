package sfu

import (
	"context"
	"fmt"
	"time"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// GetTransportStats returns a WebRTC transport's statistics in mediasoup's getStats() shape. The ICE state
// follows ICE-lite: "new" until the client nominated an address, then "completed" ("closed" once closed); the
// DTLS state is "connecting" until SRTP is ready, then "connected". RoundTripTime is the latest of its consumers'.
func (n *Node) GetTransportStats(ctx context.Context, transportID string) (application.TransportStats, error) {
	if err := ctx.Err(); err != nil {
		return application.TransportStats{}, err
	}
	n.mu.Lock()
	w, ok := n.transports[transportID]
	var consumers []*consumer
	if ok {
		for _, c := range w.consumers {
			consumers = append(consumers, c)
		}
	}
	n.mu.Unlock()
	if !ok {
		return application.TransportStats{}, fmt.Errorf("%w: %s", domain.ErrTransportNotFound, transportID)
	}
	ts := w.t.Stats()
	st := application.TransportStats{Type: application.StatsTypeWebRtcTransport, TransportID: transportID,
		Timestamp: time.Now().UnixMilli(), IceRole: "controlled", IceState: "new", DtlsState: "connecting",
		BytesReceived: ts.BytesReceived, RecvBitrate: w.rx.bps.Load(), BytesSent: ts.BytesSent, SendBitrate: w.tx.bps.Load(),
		RtpPacketsReceived: ts.RTPReceived, RtpPacketsSent: ts.RTPSent}
	if ts.SelectedAddress.IsValid() {
		st.IceState = "completed"
		local := n.mux.LocalAddr()
		st.IceSelectedTuple = &application.TransportTuple{LocalIP: n.announcedIP(), LocalPort: local.Port,
			RemoteIP: ts.SelectedAddress.Addr().String(), RemotePort: int(ts.SelectedAddress.Port()), Protocol: "udp"}
	}
	if w.connected.Load() {
		st.DtlsState = "connected"
	}
	var rttAt int64
	for _, c := range consumers {
		c.mu.Lock()
		if c.fb.rttAt > rttAt {
			rttAt = c.fb.rttAt
			rtt := float64(c.fb.rtt) / float64(time.Millisecond)
			st.RoundTripTime = &rtt
		}
		c.mu.Unlock()
	}
	return st, nil
}

// announcedIP is what candidates advertise.
func (n *Node) announcedIP() string {
	if n.cfg.AnnouncedIP != "" {
		return n.cfg.AnnouncedIP
	}
	return n.cfg.ListenIP
}

// sampleTransportRates updates every WebRTC transport's bitrates (the report loop, once per report interval).
func (n *Node) sampleTransportRates(now int64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, w := range n.transports {
		s := w.t.Stats()
		w.rx.update(s.BytesReceived, now)
		w.tx.update(s.BytesSent, now)
	}
}
