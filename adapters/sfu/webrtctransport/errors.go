package webrtctransport

import "errors"

// Sentinel errors. Callers match them with errors.Is; the reasons passed to
// Params.OnClose wrap them with the underlying cause.
var (
	// ErrInvalidConfig is returned by NewMux for an unusable MuxConfig.
	ErrInvalidConfig = errors.New("webrtctransport: invalid mux config")
	// ErrInvalidParams is returned by NewTransport and Connect for bad input.
	ErrInvalidParams = errors.New("webrtctransport: invalid parameters")
	// ErrMuxClosed is returned by NewTransport after Mux.Close, and is the
	// OnClose reason of transports closed by Mux.Close.
	ErrMuxClosed = errors.New("webrtctransport: mux closed")
	// ErrTransportClosed is returned by calls on a closed transport.
	ErrTransportClosed = errors.New("webrtctransport: transport closed")
	// ErrAlreadyConnected is returned by a second Connect.
	ErrAlreadyConnected = errors.New("webrtctransport: transport already connected")
	// ErrNotConnected is returned by WriteRTP/WriteRTCP before SRTP is ready.
	ErrNotConnected = errors.New("webrtctransport: transport not connected")
	// ErrInvalidRole is returned by Connect for a DTLS role that is not
	// "client", "server" or "auto".
	ErrInvalidRole = errors.New("webrtctransport: invalid dtls role")
	// ErrInvalidFingerprint is returned by Connect for a fingerprint whose
	// algorithm is unsupported or whose value is not colon-separated hex.
	ErrInvalidFingerprint = errors.New("webrtctransport: invalid dtls fingerprint")
	// ErrFingerprintMismatch means the remote certificate matches none of the
	// fingerprints given to Connect.
	ErrFingerprintMismatch = errors.New("webrtctransport: remote certificate fingerprint mismatch")
	// ErrIdleTimeout is the OnClose reason when neither STUN nor media arrived
	// for Params.IdleTimeout (ICE consent lost, RFC 7675).
	ErrIdleTimeout = errors.New("webrtctransport: no traffic, idle timeout")
	// ErrDTLSHandshake wraps a failed DTLS handshake (OnClose reason).
	ErrDTLSHandshake = errors.New("webrtctransport: dtls handshake failed")
	// ErrDTLSTimeout is the OnClose reason when the handshake did not finish
	// within Params.HandshakeTimeout of Connect.
	ErrDTLSTimeout = errors.New("webrtctransport: dtls handshake timed out")
	// ErrDTLSClosed is the OnClose reason when the remote closed DTLS
	// (close_notify or a fatal alert).
	ErrDTLSClosed = errors.New("webrtctransport: dtls closed by remote")
	// ErrSRTPSetup wraps a failure to derive SRTP contexts after DTLS.
	ErrSRTPSetup = errors.New("webrtctransport: srtp setup failed")
	// ErrNoSelectedAddress is returned when sending before ICE selected a
	// remote address.
	ErrNoSelectedAddress = errors.New("webrtctransport: no ICE-selected remote address")
)

// Internal causes, wrapped by the exported errors above.
var (
	errNoSRTPProfile          = errors.New("no SRTP protection profile negotiated")
	errUnsupportedSRTPProfile = errors.New("unsupported SRTP protection profile")
	errNoDTLSState            = errors.New("dtls connection state unavailable")
	errUfragCollision         = errors.New("webrtctransport: could not draw a unique ufrag")
)
