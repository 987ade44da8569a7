package sfu

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// RestartIce gives a WebRTC transport new ICE credentials; its DTLS session, producers and consumers stay, and it
// moves to the address the client checks from with them (webrtctransport.Transport.RestartICE).
func (n *Node) RestartIce(ctx context.Context, transportID string) (domain.IceParameters, error) {
	if err := ctx.Err(); err != nil {
		return domain.IceParameters{}, err
	}
	if err := n.lockOpen(); err != nil {
		return domain.IceParameters{}, err
	}
	w, ok := n.transports[transportID]
	n.mu.Unlock()
	if !ok {
		return domain.IceParameters{}, fmt.Errorf("%w: %s", domain.ErrTransportNotFound, transportID)
	}
	ufrag, pwd, err := w.t.RestartICE()
	switch {
	case err == nil:
		return domain.IceParameters{UsernameFragment: ufrag, Password: pwd, IceLite: true}, nil
	case errors.Is(err, webrtctransport.ErrTransportClosed):
		return domain.IceParameters{}, fmt.Errorf("%w: %s is closed", domain.ErrTransportNotFound, transportID)
	default:
		return domain.IceParameters{}, fmt.Errorf("sfu: restart ice of %s: %w: %w", transportID, domain.ErrUnavailable, err)
	}
}

// TransportICE is the ICE side of a WebRTC transport, as mediasoup's transport dump names it.
type TransportICE struct {
	// State is "new", "connected" or "completed" (a pair nominated with the current credentials).
	State string `json:"iceState"`
	// UsernameFragment is the current local ufrag (it changes with every restart).
	UsernameFragment string `json:"usernameFragment"`
	Restarts         uint64 `json:"restarts"`
	// SelectedTuple is where the transport sends, "" before ICE selected one; Protocol is its "udp" or "tcp".
	SelectedTuple string `json:"selectedTuple,omitempty"`
	Protocol      string `json:"protocol,omitempty"`
	// TCPDropped counts packets dropped because an ICE-TCP viewer read too slowly.
	TCPDropped uint64 `json:"tcpDropped"`
}

func (w *webrtcTransport) iceStats() *TransportICE {
	st := w.t.Stats()
	ufrag, _ := w.t.ICEParameters()
	ice := &TransportICE{State: st.ICEState, UsernameFragment: ufrag, Restarts: st.ICERestarts,
		Protocol: st.SelectedProtocol, TCPDropped: st.TCPDropped}
	if st.SelectedAddress.IsValid() {
		ice.SelectedTuple = st.SelectedAddress.String()
	}
	return ice
}
