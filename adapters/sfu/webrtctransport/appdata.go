package webrtctransport

import (
	"fmt"
	"net"
)

// AppDataRunner serves the DTLS application data of a transport (RFC 8261: SCTP for data channels). Run is
// called on the transport's DTLS goroutine once the handshake is done and SRTP is set up, with the DTLS
// connection; it reads it until the association ends and then returns, which closes the transport.
type AppDataRunner interface {
	Run(conn net.Conn) error
}

// SetAppData makes the transport run r over its DTLS connection; without it application data is dropped. It
// must be called before Connect's handshake starts (ErrAlreadyConnected after).
func (t *Transport) SetAppData(r AppDataRunner) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed:
		return ErrTransportClosed
	case t.dtlsStarted:
		return fmt.Errorf("%w: DTLS already started", ErrAlreadyConnected)
	}
	t.appData = r
	return nil
}
