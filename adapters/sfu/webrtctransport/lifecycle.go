package webrtctransport

import (
	"fmt"
	"time"

	"github.com/pion/dtls/v3"
	"go.uber.org/zap"
)

// Close closes the transport: it stops accepting packets at once, says
// close_notify if DTLS was up, and frees everything on a goroutine that
// finally calls OnClose(nil). It does not wait, so it is safe from any
// callback. Idempotent; always returns nil.
func (t *Transport) Close() error {
	t.closeWith(nil)

	return nil
}

// closeWith is the one way a transport dies; the first reason wins.
func (t *Transport) closeWith(reason error) {
	t.closeOnce.Do(func() {
		t.mu.Lock()
		t.closed = true
		t.isClosed.Store(true)
		t.connected.Store(false)
		if t.idleTimer != nil {
			t.idleTimer.Stop()
		}
		if t.hsTimer != nil {
			t.hsTimer.Stop()
		}
		addrs := t.validated
		t.validated = nil
		conn := t.dtlsConn
		t.closeTCPExceptLocked(nil)
		t.mu.Unlock()

		// Counted before the transport leaves the Mux's maps: Mux.Close
		// waits for every transport it can no longer see.
		t.mux.goroutines.Add(1)
		t.mux.unregister(t, addrs)
		t.cancel()
		t.rxSRTP.Store(nil)
		t.tx.close()
		go t.finish(conn, reason)
	})
}

// finish runs after closeWith, off the caller's goroutine.
func (t *Transport) finish(conn *dtls.Conn, reason error) {
	defer t.mux.goroutines.Done()
	if conn != nil {
		// Sends close_notify when the handshake had completed (RFC 5246
		// §7.2.1), and ends Pion's own goroutines.
		_ = conn.Close()
	}
	_ = t.pconn.Close()
	t.dtlsDone.Wait()
	if reason != nil {
		t.log.Info("webrtc transport closed", zap.Error(reason))
	} else {
		t.log.Debug("webrtc transport closed")
	}
	if t.onClose != nil {
		t.onClose(reason)
	}
}

// checkIdle is the idle timer's callback: close, or re-arm for the time
// left. RFC 7675 consent freshness: a browser that stopped sending consent
// checks (and media) has gone.
func (t *Transport) checkIdle() {
	idle := time.Duration(t.mux.now() - t.lastSeen.Load())
	if idle >= t.idleTimeout {
		t.closeWith(fmt.Errorf("%w: nothing received for %s", ErrIdleTimeout, idle.Round(time.Millisecond)))

		return
	}
	t.mu.Lock()
	if !t.closed {
		t.idleTimer.Reset(t.idleTimeout - idle)
	}
	t.mu.Unlock()
}

// handshakeExpired is the handshake timer's callback, armed by Connect.
func (t *Transport) handshakeExpired() {
	t.mu.Lock()
	done := t.connected.Load() || t.closed
	t.mu.Unlock()
	if !done {
		t.closeWith(fmt.Errorf("%w: not done %s after connect", ErrDTLSTimeout, t.handshakeTimeout))
	}
}

// setConnected marks SRTP ready; false if the transport closed meanwhile.
func (t *Transport) setConnected() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	if t.hsTimer != nil {
		t.hsTimer.Stop()
	}
	t.connected.Store(true)

	return true
}
