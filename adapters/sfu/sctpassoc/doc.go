// Package sctpassoc runs one SCTP association (RFC 4960) for data channels over a packet-oriented net.Conn: a
// WebRTC transport's DTLS connection (RFC 8261) or a pipe's UDP datagrams (as mediasoup's pipe transports carry
// SCTP). Streams are pre-negotiated (RFC 8832 §6, what mediasoup-client does): no DCEP, the stream id and its
// reliability come from signalling.
//
// Lifecycle: New (streams may be registered) → Run(conn) (handshake, then streams attach and readers start) →
// Close or the connection ends (every reader goroutine ends, OnClosed is called once), never reused. A message
// sent on a stream before the association is up is dropped and counted, as mediasoup does.
//
// Both ends open the association as SCTP clients (simultaneous INITs are resolved by RFC 4960 §5.2.1), as
// browsers and pion/webrtc do.
package sctpassoc
