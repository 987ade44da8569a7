package webrtctransport

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/pion/srtp/v3"
	"go.uber.org/zap"
)

// ufragAttempts bounds retries on the (astronomically unlikely) collision of
// two random ufrags on one Mux.
const ufragAttempts = 4

// Transport is one ICE-lite + DTLS + SRTP WebRTC transport on a Mux. See the
// package documentation for its lifecycle and threading.
type Transport struct {
	mux              *Mux
	id               string
	handler          PacketHandler
	onClose          func(error)
	idleTimeout      time.Duration
	handshakeTimeout time.Duration
	log              *zap.Logger

	// ctx ends with the transport; it aborts a handshake in progress.
	ctx    context.Context //nolint:containedctx // lifetime of the DTLS goroutine, not a request
	cancel context.CancelFunc

	mu          sync.Mutex // control path; guards the fields up to the blank line
	closed      bool
	remote      *remoteParams // set by Connect
	dtlsStarted bool
	dtlsConn    *dtls.Conn
	appData     AppDataRunner // SCTP over DTLS when set (SetAppData)
	validated   []path        // ICE-validated UDP paths (source address, local socket), oldest first
	idleTimer   *time.Timer
	hsTimer     *time.Timer
	selectedAt  time.Time // when ICE first selected a path (zero: not yet)

	// creds are the current local ICE credentials; oldCreds, after a
	// restart, the previous ones, still accepted until a check with the new
	// ones succeeds (icerestart.go).
	creds    atomic.Pointer[iceCreds]
	oldCreds atomic.Pointer[iceCreds]

	tcpConns []*tcpConn // ICE-TCP connections that passed a check, oldest first

	selected  atomic.Pointer[path] // where we send; nil until ICE selected a path
	nominated atomic.Bool          // USE-CANDIDATE seen with the current credentials
	lastSeen  atomic.Int64         // Mux.now() of the last valid packet
	connected atomic.Bool
	isClosed  atomic.Bool
	rxSRTP    atomic.Pointer[srtp.Context] // remote→us; used by the mux read goroutine only
	rxMu      sync.Mutex                   // serialises decryption: UDP and an ICE-TCP connection read on their own goroutines
	tx        sender                       // us→remote
	pconn     *dtlsPacketConn
	dtlsDone  sync.WaitGroup // the DTLS goroutine
	closeOnce sync.Once
	stats     counters
}

// remoteParams is what Connect recorded.
type remoteParams struct {
	localRole    dtlsRole
	fingerprints []parsedFingerprint
}

// NewTransport creates a transport with fresh ICE credentials, ready to
// answer connectivity checks.
func (m *Mux) NewTransport(p Params) (*Transport, error) {
	if p.IdleTimeout < 0 || p.HandshakeTimeout < 0 {
		return nil, fmt.Errorf("%w: negative timeout", ErrInvalidParams)
	}
	if p.IdleTimeout == 0 {
		p.IdleTimeout = DefaultIdleTimeout
	}
	if p.HandshakeTimeout == 0 {
		p.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if p.Handler == nil {
		p.Handler = nopHandler{}
	}
	t := &Transport{
		mux:              m,
		id:               p.ID,
		handler:          p.Handler,
		onClose:          p.OnClose,
		idleTimeout:      p.IdleTimeout,
		handshakeTimeout: p.HandshakeTimeout,
		log:              m.log.With(zap.String("transport_id", p.ID)),
	}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	t.pconn = newDTLSPacketConn(t)
	t.lastSeen.Store(m.now())

	creds, err := m.registerNewCreds(t)
	if err != nil {
		t.cancel()
		_ = t.pconn.Close()

		return nil, err
	}
	// Armed only now that the transport is complete; a Mux.Close racing
	// with us may already have closed it (and OnClose says so).
	t.mu.Lock()
	if !t.closed {
		t.idleTimer = time.AfterFunc(t.idleTimeout, t.checkIdle)
	}
	t.mu.Unlock()
	t.log.Debug("webrtc transport created", zap.String("ufrag", creds.ufrag))

	return t, nil
}

// ID is Params.ID.
func (t *Transport) ID() string { return t.id }

// ICEParameters returns the local ICE credentials (we are ICE-lite, RFC 8445
// §2.5: the remote ones are never needed).
func (t *Transport) ICEParameters() (ufrag, password string) {
	c := t.creds.Load()
	return c.ufrag, c.password
}

// ICESelectedAt is when ICE first selected a path for the transport (zero:
// not yet).
func (t *Transport) ICESelectedAt() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()

	return t.selectedAt
}

// Candidates returns the host candidates shared by every transport of the
// Mux: per listen address, UDP and, unless ICE-TCP is off, passive TCP
// (RFC 6544).
func (t *Transport) Candidates() []Candidate {
	var out []Candidate
	for _, l := range t.mux.listeners {
		out = append(out, l.candidates()...)
	}
	return out
}

// Fingerprints returns the fingerprints of the certificate DTLS presents.
func (t *Transport) Fingerprints() []Fingerprint {
	return append([]Fingerprint(nil), t.mux.fingerprints...)
}

// DTLSRole is our DTLS role: "auto" before Connect, then "client" or "server".
func (t *Transport) DTLSRole() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.remote == nil {
		return "auto"
	}

	return t.remote.localRole.String()
}

// Connect records the remote DTLS parameters as mediasoup-client sends them:
// remoteRole is the remote's role ("client", "server" or "auto"), ours is the
// opposite, and "auto" makes us the client, as mediasoup does, since an
// ICE-lite agent is always ICE-controlled. DTLS starts as soon as ICE has
// selected an address (at once if it already has). ctx only bounds the call.
func (t *Transport) Connect(ctx context.Context, remoteRole string, remote []Fingerprint) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("webrtctransport: connect: %w", err)
	}
	role, err := localRoleFor(remoteRole)
	if err != nil {
		return err
	}
	fps, err := parseFingerprints(remote)
	if err != nil {
		return err
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrTransportClosed
	}
	if t.remote != nil {
		return ErrAlreadyConnected
	}
	t.remote = &remoteParams{localRole: role, fingerprints: fps}
	t.hsTimer = time.AfterFunc(t.handshakeTimeout, t.handshakeExpired)
	t.maybeStartDTLSLocked()

	return nil
}

// Connected reports whether SRTP is ready and the transport is open.
func (t *Transport) Connected() bool { return t.connected.Load() }

// Stats returns the transport's counters.
func (t *Transport) Stats() Stats {
	s := t.stats.snapshot()
	s.ICEState = "new"
	if sel := t.selected.Load(); sel != nil {
		s.SelectedAddress, s.SelectedProtocol = sel.addr, sel.protocol()
		s.ICEState = "connected"
		if t.nominated.Load() {
			s.ICEState = "completed"
		}
	}

	return s
}

// touch records traffic for the idle timer.
func (t *Transport) touch() { t.lastSeen.Store(t.mux.now()) }

type nopHandler struct{}

func (nopHandler) OnRTP([]byte, time.Time) {}
func (nopHandler) OnRTCP([]byte)           {}
func (nopHandler) OnConnected()            {}
