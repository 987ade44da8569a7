// Package webrtctransport is the server side of mediasoup's WebRtcTransport,
// built from Pion's lower-level packages: an ICE-lite responder on pion/stun,
// DTLS on pion/dtls and SRTP on pion/srtp, every transport of a slave sharing
// one UDP socket per listen address (MuxConfig.Listen; listener.go) and, for
// ICE-TCP, one TCP listener beside each.
//
// Layering (RFC 7983 demultiplexing on the first byte of each datagram):
//
//	Mux (per listen address: one UDP socket, one read goroutine)
//	 ├─ STUN 0..3      → ICE-lite: find the transport by the ufrag in USERNAME,
//	 │                   verify MESSAGE-INTEGRITY, answer, validate the source.
//	 ├─ DTLS 20..63    → the transport owning the (validated) source address:
//	 │                   its packetio buffer, read by its pion/dtls Conn.
//	 └─ RTP  128..191  → the same transport: SRTP/SRTCP decrypt, then handler.
//
// ICE-TCP (RFC 6544, tcp_listener.go, tcpconn.go): unless MuxConfig.TCPPort
// is TCPDisabled, a TCP listener beside the socket offers every transport a
// passive TCP host candidate (mediasoup's priorities: UDP preferred). Each
// accepted connection carries RFC 4571 frames (adapters/sfu/rfc4571) and is
// read by its own goroutine: first a valid check (within
// MuxConfig.TCPFirstCheckTimeout), which binds the connection to that
// transport, then the same STUN/DTLS/SRTP demultiplexing as a datagram.
// Garbage, an oversize frame or a failed check closes the connection. A
// transport sends on its selected path, a UDP address or one connection
// (the others close once ICE nominates); a TCP path has its own bounded send
// queue and writer goroutine, and drops (counted) when a slow reader lets it
// fill, so it never blocks the sender. A Batch hands a TCP transport's
// packet to that queue instead of the sendmmsg(2).
//
// Lifecycle of a Transport: new (ICE parameters, candidates and fingerprints
// are ready) → Connect (remote DTLS role and fingerprints recorded) → ICE
// validates an address → DTLS handshake (on its own goroutine) → connected
// (SRTP ready, OnConnected) → closed. A transport is never reused. It closes
// on Close, on Mux.Close, on IdleTimeout without traffic, on a failed or
// timed-out handshake and on a remote close_notify; OnClose then runs once, on
// its own goroutine, after every goroutine of the transport has ended.
//
// Threading: OnRTP and OnRTCP run on the mux read goroutine or an ICE-TCP
// connection's, never two at once for one transport; OnConnected on the
// transport's DTLS goroutine; none may block. WriteRTP and WriteRTCP are
// safe for concurrent use and allocate nothing in steady state.
//
// Sending to many (batch.go, socket_linux.go): a Batch from Mux.Batch takes
// packets for any transports of the Mux (AppendRTP encrypts each, in place
// when built in Batch.Buffer) and sends them with one sendmmsg(2). On Linux
// the Mux's socket is kept out of Go's netpoller, its read goroutine blocking
// in recvmsg(2): a UDP socket in epoll wakes the runtime's poller for nearly
// every datagram it sends, which cost 40-50% more CPU than forwarding itself.
package webrtctransport
