package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ConnectFunc is mediasoup-client's "connect" event: post the client's DTLS parameters to the server's connect
// endpoint. It is called once per transport, before the first local description is applied (so before ICE and DTLS
// start), and the transport waits for it to return.
type ConnectFunc func(ctx context.Context, dtls domain.DtlsParameters) error

// ErrTransportClosed is returned by calls on a closed transport.
var ErrTransportClosed = errors.New("client: transport closed")

// transport is what send and receive transports share: the PeerConnection, the remote SDP model, the connect-once
// step and the close path. mu serializes negotiations, which must not interleave on one PeerConnection.
type transport struct {
	id        string
	pc        *webrtc.PeerConnection
	remote    *remoteSDP
	onConnect ConnectFunc

	mu        sync.Mutex
	connected bool
	// Data channels (data_channel.go), under mu: the server's sctpParameters (nil: no SCTP), whether the SDP has
	// its application section yet, and the next stream id a data producer takes.
	sctp       *domain.SctpParameters
	hasData    bool
	nextStream uint16

	closed    atomic.Bool
	closeOnce sync.Once

	stateMu  sync.Mutex
	stateCh  chan struct{} // closed and replaced on every state change
	closeErr error
	timeline Timeline // under stateMu
}

// Timeline says when the transport's connection came up, for measuring where setup time goes.
type Timeline struct {
	// ICECheckedAt is when the first check of the pair ICE chose succeeded (its first STUN response, from Pion's
	// candidate-pair stats, millisecond precision; zero until ICE connected). Pion's controlling agent nominates
	// that pair at its next connectivity tick (every 200 ms while checking, not configurable through
	// pion/webrtc v4's SettingEngine): ICEConnectedAt − ICECheckedAt is that wait, the client's own share.
	ICECheckedAt   time.Time
	ICEConnectedAt time.Time // ICE found a working pair and nominated it (zero until then)
	ConnectedAt    time.Time // ICE and DTLS are up: SRTP can flow (zero until then)
}

// NominationWait is ICEConnectedAt − ICECheckedAt (0 when either is unknown).
func (tl Timeline) NominationWait() time.Duration {
	if tl.ICECheckedAt.IsZero() || tl.ICEConnectedAt.IsZero() {
		return 0
	}
	return max(tl.ICEConnectedAt.Sub(tl.ICECheckedAt), 0)
}

func newTransport(d *Device, info domain.TransportInfo, setup string, onConnect ConnectFunc) (*transport, error) {
	if info.ID == "" {
		return nil, fmt.Errorf("%w: transport id is required", domain.ErrInvalidInput)
	}
	if onConnect == nil {
		return nil, fmt.Errorf("%w: onConnect is required", domain.ErrInvalidInput)
	}
	remote, err := newRemoteSDP(info, setup, rand.Uint64N(1<<62))
	if err != nil {
		return nil, err
	}
	api, err := d.newAPI()
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{
		BundlePolicy:  webrtc.BundlePolicyMaxBundle,
		RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire,
	})
	if err != nil {
		return nil, fmt.Errorf("client: new peer connection: %w", err)
	}
	t := &transport{id: info.ID, pc: pc, remote: remote, onConnect: onConnect, stateCh: make(chan struct{}), sctp: info.SctpParameters}
	remote.sctp = info.SctpParameters
	pc.OnConnectionStateChange(t.setState)
	pc.OnICEConnectionStateChange(func(s webrtc.ICEConnectionState) {
		if s == webrtc.ICEConnectionStateConnected {
			t.stateMu.Lock()
			if t.timeline.ICEConnectedAt.IsZero() {
				t.timeline.ICEConnectedAt = time.Now()
			}
			t.stateMu.Unlock()
		}
	})
	return t, nil
}

// ID is the server's transport (peer) id.
func (t *transport) ID() string { return t.id }

// PeerConnection exposes the underlying connection, for stats and tests.
func (t *transport) PeerConnection() *webrtc.PeerConnection { return t.pc }

// ConnectionState is the PeerConnection's ICE+DTLS state.
func (t *transport) ConnectionState() webrtc.PeerConnectionState { return t.pc.ConnectionState() }

// WaitConnected blocks until ICE and DTLS are up, the connection fails, or ctx ends.
func (t *transport) WaitConnected(ctx context.Context) error {
	for {
		t.stateMu.Lock()
		ch := t.stateCh
		t.stateMu.Unlock()
		state := t.pc.ConnectionState() // read after taking ch: a change after this read closes ch
		switch state {
		case webrtc.PeerConnectionStateConnected:
			return nil
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			return fmt.Errorf("client: transport %s is %s", t.id, state)
		default: // new, connecting, disconnected: wait for the next change
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("client: transport %s still %s: %w", t.id, state, ctx.Err())
		case <-ch:
		}
	}
}

// Timeline returns when ICE and the whole connection came up.
func (t *transport) Timeline() Timeline {
	t.stateMu.Lock()
	tl := t.timeline
	t.stateMu.Unlock()
	if tl.ICEConnectedAt.IsZero() || !tl.ICECheckedAt.IsZero() {
		return tl
	}
	// Read once ICE connected, outside the state callbacks (GetStats waits for the ICE agent's loop).
	if at := t.firstCheckResponse(); !at.IsZero() {
		t.stateMu.Lock()
		t.timeline.ICECheckedAt = at
		tl = t.timeline
		t.stateMu.Unlock()
	}
	return tl
}

// firstCheckResponse is the first STUN response of the nominated candidate pair (zero if unknown).
func (t *transport) firstCheckResponse() time.Time {
	for _, s := range t.pc.GetStats() {
		if p, ok := s.(webrtc.ICECandidatePairStats); ok && p.Nominated && p.FirstResponseTimestamp > 0 {
			return p.FirstResponseTimestamp.Time()
		}
	}
	return time.Time{}
}

func (t *transport) setState(s webrtc.PeerConnectionState) {
	t.stateMu.Lock()
	defer t.stateMu.Unlock()
	if s == webrtc.PeerConnectionStateConnected && t.timeline.ConnectedAt.IsZero() {
		t.timeline.ConnectedAt = time.Now()
	}
	close(t.stateCh)
	t.stateCh = make(chan struct{})
}

// localDtls returns the client's DTLS parameters: the certificate's fingerprints, role client (the server is always
// the DTLS server). Upper-case hex, as browsers write it.
func (t *transport) localDtls() (domain.DtlsParameters, error) {
	certs := t.pc.GetConfiguration().Certificates
	if len(certs) == 0 {
		return domain.DtlsParameters{}, errors.New("client: peer connection has no certificate")
	}
	fps, err := certs[0].GetFingerprints()
	if err != nil {
		return domain.DtlsParameters{}, fmt.Errorf("client: fingerprints: %w", err)
	}
	out := domain.DtlsParameters{Role: domain.DtlsRoleClient}
	for _, fp := range fps {
		out.Fingerprints = append(out.Fingerprints, domain.DtlsFingerprint{Algorithm: fp.Algorithm, Value: strings.ToUpper(fp.Value)})
	}
	return out, nil
}

// connectOnce calls onConnect the first time; mu is held by the caller.
func (t *transport) connectOnce(ctx context.Context) error {
	if t.connected {
		return nil
	}
	dtls, err := t.localDtls()
	if err != nil {
		return err
	}
	if err := t.onConnect(ctx, dtls); err != nil {
		return fmt.Errorf("client: connect transport %s: %w", t.id, err)
	}
	t.connected = true
	return nil
}

// begin takes the negotiation lock unless the transport is closed; the caller unlocks mu.
func (t *transport) begin() error {
	t.mu.Lock()
	if t.closed.Load() {
		t.mu.Unlock()
		return ErrTransportClosed
	}
	return nil
}

// closePC closes the PeerConnection once; later calls return the first result. It does not wait for a negotiation
// in progress (which may be blocked in a callback): that negotiation fails on the closed PeerConnection instead.
func (t *transport) closePC() error {
	t.closeOnce.Do(func() {
		t.closed.Store(true)
		if err := t.pc.Close(); err != nil {
			t.closeErr = fmt.Errorf("client: close transport %s: %w", t.id, err)
		}
	})
	return t.closeErr
}
