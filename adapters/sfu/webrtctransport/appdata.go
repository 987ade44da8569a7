package webrtctransport

import (
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/pion/dtls/v3"
	"go.uber.org/zap"
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

// appConn is the DTLS connection as the application data runner sees it. Like readDTLS, it rides over the
// non-fatal errors pion/dtls returns from Read (a warning alert, a record it could not decrypt, a late
// retransmission of the handshake's last flight): pion/sctp would take any read error for the end of the
// association and close the transport.
type appConn struct {
	*dtls.Conn
	t *Transport
}

func (c appConn) Read(p []byte) (int, error) {
	for {
		n, err := c.Conn.Read(p)
		if err == nil || c.t.isClosed.Load() || fatalRead(err) {
			return n, err //nolint:wrapcheck // the runner sees the connection's own errors
		}
		c.t.stats.dropped.Add(1)
		c.t.log.Debug("dtls read", zap.Error(err))
	}
}

// fatalRead tells the errors that end a DTLS connection (or interrupt a read on purpose) from those it survives.
func fatalRead(err error) bool {
	var fatal *dtls.FatalError
	var internal *dtls.InternalError
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.As(err, &fatal) ||
		errors.As(err, &internal) || (errors.As(err, &ne) && ne.Timeout())
}
