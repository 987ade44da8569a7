package webrtctransport

import (
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/pion/dtls/v3"
	"go.uber.org/zap"
)

// dtlsReadBuffer holds one application-data record after the handshake; we
// only read to let Pion process alerts, and records are MTU-sized.
const dtlsReadBuffer = 8 << 10

// dtlsRole is our side of the DTLS handshake.
type dtlsRole uint8

const (
	roleUnknown dtlsRole = iota
	roleClient
	roleServer
)

func (r dtlsRole) String() string {
	switch r {
	case roleClient:
		return "client"
	case roleServer:
		return "server"
	case roleUnknown:
	}

	return "unknown"
}

// localRoleFor maps the remote's role to ours the way mediasoup's
// WebRtcTransport does: the opposite, and client when the remote says
// "auto" (we are ICE-lite, hence ICE-controlled; RFC 5763 §5 lets the
// answerer choose).
func localRoleFor(remote string) (dtlsRole, error) {
	switch remote {
	case "client":
		return roleServer, nil
	case "server", "auto":
		return roleClient, nil
	default:
		return roleUnknown, fmt.Errorf("%w: %q", ErrInvalidRole, remote)
	}
}

// maybeStartDTLSLocked starts the handshake once both Connect has run and
// ICE has selected an address, whichever came second. t.mu must be held.
func (t *Transport) maybeStartDTLSLocked() {
	if t.closed || t.dtlsStarted || t.remote == nil || t.selected.Load() == nil {
		return
	}
	t.dtlsStarted = true
	t.dtlsDone.Add(1)
	t.mux.goroutines.Add(1)
	go t.runDTLS(t.remote)
}

// runDTLS is the transport's DTLS goroutine: handshake, SRTP keys, then
// reading until the connection ends.
func (t *Transport) runDTLS(remote *remoteParams) {
	defer t.mux.goroutines.Done()
	defer t.dtlsDone.Done()

	conn, err := t.newDTLSConn(remote)
	if err != nil {
		t.closeWith(fmt.Errorf("%w: %w", ErrDTLSHandshake, err))

		return
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		_ = conn.Close()

		return
	}
	t.dtlsConn = conn
	t.mu.Unlock()

	t.log.Debug("dtls handshake starting", zap.Stringer("role", remote.localRole))
	if err := conn.HandshakeContext(t.ctx); err != nil {
		t.closeWith(fmt.Errorf("%w: %w", ErrDTLSHandshake, err))

		return
	}
	profile, err := t.startSRTP(conn, remote.localRole)
	if err != nil {
		t.closeWith(fmt.Errorf("%w: %w", ErrSRTPSetup, err))

		return
	}
	if !t.setConnected() {
		return
	}
	t.log.Debug("webrtc transport connected", zap.Stringer("srtp_profile", profile))
	t.handler.OnConnected()
	t.mu.Lock()
	app := t.appData
	t.mu.Unlock()
	if app == nil {
		t.readDTLS(conn)
		return
	}
	// The association reads the connection from now on (alerts included): when it ends, so does the transport.
	err = app.Run(appConn{Conn: conn, t: t})
	if !t.isClosed.Load() {
		t.closeWith(fmt.Errorf("%w: data channels: %w", ErrDTLSClosed, errOrEOF(err)))
	}
}

func errOrEOF(err error) error {
	if err == nil {
		return io.EOF
	}
	return err
}

// newDTLSConn builds the pion/dtls endpoint for our role.
func (t *Transport) newDTLSConn(remote *remoteParams) (*dtls.Conn, error) {
	sel := t.selected.Load()
	if sel == nil {
		return nil, ErrNoSelectedAddress
	}
	raddr := net.UDPAddrFromAddrPort(sel.addr) // only a name for pion/dtls: writes follow the selected path
	t.pconn.remote = raddr

	shared := []dtls.Option{
		dtls.WithCertificates(t.mux.cert),
		// A DTLS server picks the first of *its* profiles the client offers
		// (RFC 5764 §4.1.1): GCM first, it is several times cheaper.
		dtls.WithSRTPProtectionProfiles(dtls.SRTP_AEAD_AES_128_GCM, dtls.SRTP_AES128_CM_HMAC_SHA1_80),
		dtls.WithExtendedMasterSecret(dtls.RequireExtendedMasterSecret),
		// Certificates are self-signed: the fingerprint from signalling is
		// the authentication (RFC 8842 §5.1), checked by verifyFingerprint.
		dtls.WithInsecureSkipVerify(true),
		dtls.WithVerifyPeerCertificate(verifyFingerprint(remote.fingerprints)),
		dtls.WithLoggerFactory(t.mux.dtlsLog),
	}
	if remote.localRole == roleClient {
		opts := make([]dtls.ClientOption, 0, len(shared))
		for _, o := range shared {
			opts = append(opts, o)
		}

		return dtls.ClientWithOptions(t.pconn, raddr, opts...) //nolint:wrapcheck // wrapped by the caller
	}
	opts := make([]dtls.ServerOption, 0, len(shared)+2)
	for _, o := range shared {
		opts = append(opts, o)
	}
	opts = append(opts,
		// Without a client certificate there is nothing to check the
		// remote fingerprint against.
		dtls.WithClientAuth(dtls.RequireAnyClientCert),
		// The HelloVerifyRequest cookie proves the client can receive at
		// its address (RFC 6347 §4.2.1); ICE already proved it, so skip the
		// extra round trip.
		dtls.WithInsecureSkipVerifyHello(true),
	)

	return dtls.ServerWithOptions(t.pconn, raddr, opts...) //nolint:wrapcheck // wrapped by the caller
}

// readDTLS keeps reading after the handshake so Pion processes alerts: a
// close_notify or fatal alert ends the read with io.EOF and closes the
// transport. Application data (SCTP for data channels) is not offered by
// this transport and is dropped.
func (t *Transport) readDTLS(conn *dtls.Conn) {
	buf := make([]byte, dtlsReadBuffer)
	for {
		_, err := conn.Read(buf)
		if t.isClosed.Load() {
			return
		}
		switch {
		case err == nil:
			t.stats.dropped.Add(1)
		case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
			t.closeWith(fmt.Errorf("%w: %w", ErrDTLSClosed, err))

			return
		default:
			// Non-fatal (a warning alert, an undecryptable record): Pion
			// keeps the connection, so do we.
			t.log.Debug("dtls read", zap.Error(err))
		}
	}
}
