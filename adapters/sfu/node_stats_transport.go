package sfu

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// GetTransportStats returns a WebRTC transport's statistics in mediasoup's getStats() shape. The ICE state
// is ICE-lite's: "new" until an address is selected, "connected" once one is, "completed" once the client
// nominated one with the current credentials; the DTLS state is "connecting" until SRTP is ready, then
// "connected". The selected tuple's local end is the candidate the client used. RoundTripTime is the latest
// measured by its consumers.
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
	if ts.ICEState != "" {
		st.IceState = ts.ICEState
	}
	if ts.SelectedAddress.IsValid() {
		proto := ts.SelectedProtocol
		if proto == "" {
			proto = "udp"
		}
		tuple := &application.TransportTuple{RemoteIP: ts.SelectedAddress.Addr().Unmap().String(),
			RemotePort: int(ts.SelectedAddress.Port()), Protocol: proto}
		tuple.LocalIP, tuple.LocalPort = localCandidate(w.t.Candidates(), proto, ts.SelectedAddress.Addr().Unmap().Is4())
		st.IceSelectedTuple = tuple
	}
	if w.connected.Load() {
		st.DtlsState = "connected"
	}
	if w.cc != nil { // the downlink estimate (allocation.go)
		v := uint64(max(w.cc.bitrate.Load(), 0)) //nolint:gosec // non-negative
		st.AvailableOutgoingBitrate = &v
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

// localCandidate is the local end of the selected path as the transport announced it: its first candidate of the
// protocol and of the remote's address family (a transport listens on one port per protocol and address).
func localCandidate(cands []webrtctransport.Candidate, proto string, ipv4 bool) (string, int) {
	for _, c := range cands {
		if a, err := netip.ParseAddr(c.IP); err == nil && c.Protocol == proto && a.Unmap().Is4() == ipv4 {
			return c.IP, c.Port
		}
	}
	for _, c := range cands {
		if c.Protocol == proto {
			return c.IP, c.Port
		}
	}
	return "", 0
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
