package httpapi

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// ConnGuardOptions tune GuardListener.
type ConnGuardOptions struct {
	// MaxConnsPerIP caps the open connections from one client address (0: no cap). A connection over the cap is
	// answered 429 and closed at once, before any request is read.
	MaxConnsPerIP int
	// Exempt are addresses the cap does not apply to: the trusted reverse proxies, which carry many clients.
	Exempt []netip.Prefix
	// Metrics counts refused connections and slow clients the server closed; nil counts nothing.
	Metrics *Metrics
}

// tooManyConns is what a connection over the per-IP cap reads before it is closed.
const tooManyConns = "HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Type: application/json\r\n" +
	"Content-Length: 97\r\n\r\n" +
	`{"code":429,"error":"too_many_requests","message":"too many open connections from your address"}`

// GuardListener wraps ln for a public HTTP server: it caps concurrent connections per client IP and tells slow
// clients (a read or write deadline passed mid-request) from idle ones, counting the slow ones in Metrics. The
// deadlines themselves are the server's (MasterServerOptions' timeouts).
func GuardListener(ln net.Listener, opts ConnGuardOptions) net.Listener {
	return &guardListener{Listener: ln, opts: opts, perIP: map[netip.Addr]int{}}
}

type guardListener struct {
	net.Listener
	opts  ConnGuardOptions
	mu    sync.Mutex
	perIP map[netip.Addr]int
}

func (l *guardListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := remoteAddr(c)
		if !l.admit(ip) {
			l.opts.Metrics.connRefused()
			_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
			_, _ = c.Write([]byte(tooManyConns))
			_ = c.Close()
			continue
		}
		return &guardConn{Conn: c, l: l, ip: ip}, nil
	}
}

// admit counts a new connection from ip, or refuses it when ip is at the cap.
func (l *guardListener) admit(ip netip.Addr) bool {
	if l.opts.MaxConnsPerIP <= 0 || isTrusted(ip, l.opts.Exempt) {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perIP[ip] >= l.opts.MaxConnsPerIP {
		return false
	}
	l.perIP[ip]++
	return true
}

func (l *guardListener) release(ip netip.Addr) {
	if l.opts.MaxConnsPerIP <= 0 || isTrusted(ip, l.opts.Exempt) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perIP[ip]--; l.perIP[ip] <= 0 {
		delete(l.perIP, ip)
	}
}

func remoteAddr(c net.Conn) netip.Addr {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

// guardConn is one accepted connection. Its state: served (a response was written), partial (request bytes were
// read since the last response); a read deadline that passes while partial, or before anything was served, is a
// slow client, one that passes between requests is an idle keep-alive connection, not counted.
type guardConn struct {
	net.Conn
	l       *guardListener
	ip      netip.Addr
	served  atomic.Bool
	partial atomic.Bool
	slow    atomic.Bool
	closed  sync.Once
}

func (c *guardConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.partial.Store(true)
	}
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) && (c.partial.Load() || !c.served.Load()) &&
		!c.slow.Swap(true) {
		c.l.opts.Metrics.slowClient("read")
	}
	return n, err
}

func (c *guardConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if n > 0 {
		c.served.Store(true)
		c.partial.Store(false)
	}
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) && !c.slow.Swap(true) {
		c.l.opts.Metrics.slowClient("write")
	}
	return n, err
}

func (c *guardConn) Close() error {
	c.closed.Do(func() { c.l.release(c.ip) })
	return c.Conn.Close()
}
