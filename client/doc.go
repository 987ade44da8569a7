// Package client does what mediasoup-client does, in Go, on pion/webrtc: it sends and receives media through the
// cluster's ICE-lite/DTLS/SRTP transports described by mediasoup's JSON (domain.TransportInfo, domain.RtpParameters,
// domain.RtpCapabilities). Integration tests, the load tool and scripts use it.
//
// Two layers:
//   - Device, SendTransport, RecvTransport, Producer, Consumer: media only, no HTTP. The caller is told through
//     callbacks when to post connect and produce requests, exactly like mediasoup-client's "connect" and "produce"
//     events.
//   - API (a thin client of the master's public HTTP API) and the Publish/Subscribe flows built on both layers.
//
// # Why a PeerConnection fed with synthesized SDP
//
// Each transport drives one webrtc.PeerConnection, and the server's side of the SDP is synthesized from the
// server's JSON, as mediasoup-client's browser handlers do (their RemoteSdp class). The alternatives were Pion's
// ORTC objects or hand-assembled ICE/DTLS/SRTP. ORTC in Pion stalls a transport on an SSRC that no receiver has
// claimed and has no renegotiation story. A hand-built stack would copy exactly what the server does, so a bug
// common to both would go unseen. A PeerConnection is what browsers run: it gives the client a real JSEP peer's ICE
// agent (controlling, because the remote is ICE-lite), a real DTLS client, NACK and RTCP reports through
// interceptors, and it tests the server against the behaviour that real clients have. The cost is the renegotiation
// on each produce or consume, which matters little for a test client.
//
// Roles: the server is ICE-lite and always the DTLS server. A send transport's remote answer says a=setup:passive.
// A recv transport's remote offer says a=setup:actpass and Pion is set to answer active. In both cases the client
// reports its fingerprints to onConnect with role "client", as mediasoup-client does when its local SDP is
// setup:active.
//
// # Lifecycle
//
// A transport is new, then connected (onConnect called once, before the first local description is applied), then
// closed. It is never reused. Closing a transport closes its PeerConnection, which ends every goroutine it started:
// Consumer readers and RTCP readers stop on the resulting io.EOF. SyntheticSource.Close stops its pacer.
package client
