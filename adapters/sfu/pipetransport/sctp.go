package pipetransport

// isSCTP recognises an SCTP packet on the pipe: at least its 12-byte common header (RFC 4960 §3.1), and a first
// byte that no RTP/RTCP packet has (version bits 0). With the port 5000 of data channels it is 0x13.
func isSCTP(pkt []byte) bool {
	return len(pkt) >= 12 && pkt[0]>>6 == 0
}

// WriteSCTP sends one SCTP packet to the remote as is: SCTP has its own checksum, and the pipe's SRTP keys do not
// cover it (as on mediasoup's pipe transports without DTLS, data crosses the pipe in clear). Safe for concurrent
// use; pkt is not retained.
func (t *Transport) WriteSCTP(pkt []byte) error {
	if !isSCTP(pkt) {
		return ErrInvalidPacket
	}
	dst, err := t.destination()
	if err != nil {
		return err
	}

	return t.send(pkt, dst, &t.stats.sctpOut)
}
