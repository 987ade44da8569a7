package client

import (
	"context"
	"fmt"

	"github.com/pion/webrtc/v4"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// RestartIce is mediasoup-client's transport.restartIce({iceParameters}): the server's new ICE credentials (from
// the restart_ice route) replace the old ones in the remote SDP, and the PeerConnection renegotiates with an ICE
// restart. DTLS and the tracks carry on.
func (t *SendTransport) RestartIce(ctx context.Context, ice domain.IceParameters) error {
	if err := t.beginRestart(ice); err != nil {
		return err
	}
	defer t.mu.Unlock()
	offer, err := t.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
	if err != nil {
		return fmt.Errorf("client: create ice restart offer: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("client: restart ice: %w", err)
	}
	if err := t.pc.SetLocalDescription(offer); err != nil {
		return fmt.Errorf("client: set local offer: %w", err)
	}
	answer := webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: t.remote.render()}
	if err := t.pc.SetRemoteDescription(answer); err != nil {
		return fmt.Errorf("client: set remote answer: %w", err)
	}
	return nil
}

// RestartIce is SendTransport.RestartIce for a receive transport: the server's offer carries the new credentials,
// which makes the PeerConnection restart ICE as it answers.
func (t *RecvTransport) RestartIce(ctx context.Context, ice domain.IceParameters) error {
	if err := t.beginRestart(ice); err != nil {
		return err
	}
	defer t.mu.Unlock()
	return t.negotiate(ctx)
}

// beginRestart checks the new credentials, takes the negotiation lock (the caller unlocks mu) and puts them in
// the remote SDP.
func (t *transport) beginRestart(ice domain.IceParameters) error {
	if err := ice.Validate(); err != nil {
		return err
	}
	if err := t.begin(); err != nil {
		return err
	}
	t.remote.ice = ice
	return nil
}
