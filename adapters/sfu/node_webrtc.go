package sfu

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// CreateWebRtcTransport creates an ICE-lite WebRTC transport on a router, on the node's shared UDP socket.
func (n *Node) CreateWebRtcTransport(ctx context.Context, routerID, transportID string) (domain.TransportInfo, error) {
	if err := requireID(ctx, "transportId", transportID); err != nil {
		return domain.TransportInfo{}, err
	}
	if err := n.lockOpen(); err != nil {
		return domain.TransportInfo{}, err
	}
	defer n.mu.Unlock()
	r, ok := n.routers[routerID]
	if !ok {
		return domain.TransportInfo{}, fmt.Errorf("%w: %s", domain.ErrRouterNotFound, routerID)
	}
	if n.transportExistsLocked(transportID) {
		return domain.TransportInfo{}, fmt.Errorf("%w: transport %s already exists", domain.ErrConflict, transportID)
	}
	w := &webrtcTransport{
		endpoint: newEndpoint(transportID, &n.totals), node: n, router: r,
		producers: map[string]*producer{}, consumers: map[string]*consumer{},
	}
	w.cc = newSendEstimate(initialOutgoing(n.cfg))
	w.maxIncoming = max(n.cfg.MaxIncomingBitrate, 0)
	t, err := n.mux.NewTransport(webrtctransport.Params{
		ID: transportID, IdleTimeout: n.cfg.TransportIdleTimeout, Handler: w,
		OnClose: func(reason error) { n.onWebRtcClosed(w, reason) },
	})
	if err != nil {
		return domain.TransportInfo{}, fmt.Errorf("sfu: create transport %s: %w: %w", transportID, domain.ErrUnavailable, err)
	}
	w.t = t
	w.setWriter(t)
	n.transports[transportID] = w
	r.transports[transportID] = w
	return transportInfo(w), nil
}

func transportInfo(w *webrtcTransport) domain.TransportInfo {
	ufrag, pwd := w.t.ICEParameters()
	info := domain.TransportInfo{
		ID:             w.id,
		IceParameters:  domain.IceParameters{UsernameFragment: ufrag, Password: pwd, IceLite: true},
		IceCandidates:  []domain.IceCandidate{},
		DtlsParameters: domain.DtlsParameters{Role: domain.DtlsRoleAuto, Fingerprints: []domain.DtlsFingerprint{}},
	}
	for _, c := range w.t.Candidates() {
		info.IceCandidates = append(info.IceCandidates, domain.IceCandidate{
			Foundation: c.Foundation, Priority: c.Priority, Address: c.IP, IP: c.IP,
			Protocol: c.Protocol, Port: c.Port, Type: c.Type, TCPType: c.TCPType,
		})
	}
	for _, f := range w.t.Fingerprints() {
		info.DtlsParameters.Fingerprints = append(info.DtlsParameters.Fingerprints,
			domain.DtlsFingerprint{Algorithm: f.Algorithm, Value: f.Value})
	}
	return info
}

func (n *Node) transportExistsLocked(id string) bool {
	_, webrtc := n.transports[id]
	_, pipe := n.pipes[id]
	return webrtc || pipe
}

// ConnectTransport gives a WebRTC transport the client's DTLS parameters; the handshake follows ICE.
func (n *Node) ConnectTransport(ctx context.Context, transportID string, dtls domain.DtlsParameters) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := dtls.Validate(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return err
	}
	w, ok := n.transports[transportID]
	n.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s", domain.ErrTransportNotFound, transportID)
	}
	role := string(dtls.Role)
	if role == "" {
		role = string(domain.DtlsRoleAuto)
	}
	fps := make([]webrtctransport.Fingerprint, 0, len(dtls.Fingerprints))
	for _, f := range dtls.Fingerprints {
		fps = append(fps, webrtctransport.Fingerprint{Algorithm: f.Algorithm, Value: f.Value})
	}
	err := w.t.Connect(ctx, role, fps)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, webrtctransport.ErrAlreadyConnected):
		return fmt.Errorf("%w: transport %s", domain.ErrAlreadyConnected, transportID)
	case errors.Is(err, webrtctransport.ErrTransportClosed):
		return fmt.Errorf("%w: %s is closed", domain.ErrTransportNotFound, transportID)
	case errors.Is(err, webrtctransport.ErrInvalidRole), errors.Is(err, webrtctransport.ErrInvalidFingerprint),
		errors.Is(err, webrtctransport.ErrInvalidParams):
		return fmt.Errorf("%w: %w", domain.ErrInvalidInput, err)
	default:
		return fmt.Errorf("sfu: connect transport %s: %w", transportID, err)
	}
}

// CloseTransport closes a WebRTC transport with its producers (and their consumers everywhere) and consumers.
// An unknown id is not an error.
func (n *Node) CloseTransport(ctx context.Context, transportID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return nil //nolint:nilerr // a closed node has closed it already
	}
	var later deferred
	if w, ok := n.transports[transportID]; ok {
		n.closeWebRtcLocked(w, &later)
	}
	n.mu.Unlock()
	later.run()
	return nil
}

// onWebRtcClosed is a transport's OnClose. A transport still registered died on the media side: close what
// it carried and tell the master.
func (n *Node) onWebRtcClosed(w *webrtcTransport, reason error) {
	n.mu.Lock()
	known := n.transports[w.id] == w
	var later deferred
	if known {
		n.closeWebRtcLocked(w, &later)
	}
	n.mu.Unlock()
	later.run()
	if !known || reason == nil {
		return
	}
	n.log.Info("webrtc transport died", zap.String("transport_id", w.id), zap.Error(reason))
	if n.cfg.OnTransportClosed != nil {
		n.cfg.OnTransportClosed(w.id, reason)
	}
}
