package bootstrap

import (
	"net"
	"sync"
	"sync/atomic"
)

// trackingListener remembers the connections it accepted that have not sent a byte yet. fasthttp counts such a
// connection as idle only 5 s after it opened, so a graceful shutdown waits on every spare connection a client's
// pool dialed and never used (the master's pool to a slave opens many under concurrent calls). Those carry no
// request, so closing them at shutdown is safe and makes the shutdown prompt.
type trackingListener struct {
	net.Listener
	mu    sync.Mutex
	fresh map[*trackedConn]struct{}
}

func newTrackingListener(ln net.Listener) *trackingListener {
	return &trackingListener{Listener: ln, fresh: map[*trackedConn]struct{}{}}
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, l: l}
	l.mu.Lock()
	l.fresh[tc] = struct{}{}
	l.mu.Unlock()
	return tc, nil
}

// closeUnused closes every accepted connection that never sent a byte.
func (l *trackingListener) closeUnused() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.fresh {
		_ = c.Conn.Close()
		delete(l.fresh, c)
	}
}

func (l *trackingListener) forget(c *trackedConn) {
	l.mu.Lock()
	delete(l.fresh, c)
	l.mu.Unlock()
}

type trackedConn struct {
	net.Conn
	l    *trackingListener
	used atomic.Bool
}

func (c *trackedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && !c.used.Swap(true) {
		c.l.forget(c)
	}
	return n, err
}

func (c *trackedConn) Close() error {
	c.l.forget(c)
	return c.Conn.Close()
}
