// Package pipetransport is the wire layer of a slave-to-slave pipe, as mediasoup's PipeTransport: one UDP socket
// per (local router, remote router) carrying plain RTP and RTCP multiplexed on it (RFC 5761), optionally protected
// by SRTP (RFC 3711, RFC 7714) with keys exchanged through the master.
//
// Lifecycle of a Transport: New (socket bound, SRTP key drawn) → Connect (the master told us the remote tuple and
// its key) → closed (Close, or IdleTimeout without traffic). A transport is never reused: a second Connect fails
// with domain.ErrAlreadyConnected and nothing reopens a closed one.
//
// Security: the only peer a transport ever reads from or writes to is the address given to Connect, which comes
// from the master; datagrams from any other source are dropped and counted, never learned (no comedia). Before
// Connect nothing is sent and everything received is dropped.
//
// Keys: each side sends with its own key and receives with the other side's. New draws our key (exposed by
// SrtpParameters, which the master hands to the remote's Connect) and builds the send context from it; Connect
// builds the receive context from the remote's parameters. The two directions may even use different suites.
// Received SRTP/SRTCP is replay-protected.
//
// Threading: one read goroutine per transport calls Handler.OnRTP and Handler.OnRTCP with plaintext that is valid
// only during the call; handlers must not block. WriteRTP and WriteRTCP are safe for concurrent use and allocate
// nothing in steady state. The per-packet path takes no context.Context (house rule for media hot paths).
package pipetransport
