package pipetransport

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/sockstat"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Transport is one end of a pipe. See the package comment for its lifecycle.
type Transport struct {
	conn    *net.UDPConn
	local   netip.AddrPort // the tuple we announce
	bound   netip.Addr     // the address the socket is bound to (its family decides which remotes are reachable)
	handler Handler
	onSCTP  func([]byte)
	idle    time.Duration
	onClose func(error)
	keys    *localKeys // nil without SRTP

	// remote is the only address read from and written to; nil until Connect. rx (SRTP only) is stored before
	// remote, so whoever sees remote sees rx too.
	remote atomic.Pointer[netip.AddrPort]
	rx     atomic.Pointer[srtp.Context]

	// txMu serialises the send context (an srtp.Context is not safe for concurrent use) and the headers it parses
	// into, kept here so that encrypting allocates nothing.
	txMu      sync.Mutex
	txRTPHdr  rtp.Header
	txRTCPHdr rtcp.Header

	connectMu sync.Mutex // serialises Connect

	epoch  time.Time    // monotonic origin of lastRx
	lastRx atomic.Int64 // nanoseconds since epoch of the last packet delivered (or of Connect)

	closeOnce sync.Once
	closed    atomic.Bool
	readDone  chan struct{}

	stats counters
}

// New binds the transport's socket, draws its SRTP key when cfg.SRTP is set and starts its read goroutine.
// Errors wrap domain.ErrInvalidInput for a bad Config, and ErrNoFreePort when the port range is full.
func New(cfg Config) (*Transport, error) {
	s, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	t := &Transport{
		handler:  cfg.Handler,
		onSCTP:   cfg.OnSCTP,
		idle:     cfg.IdleTimeout,
		onClose:  cfg.OnClose,
		epoch:    time.Now(),
		readDone: make(chan struct{}),
	}
	if s.suite != nil {
		if t.keys, err = newLocalKeys(s.suite); err != nil {
			return nil, err
		}
	}
	if t.conn, err = listen(s.listen, s.portMin, s.portMax); err != nil {
		return nil, err
	}
	t.bound = s.listen
	// Best effort: a smaller buffer than asked (kernel cap) still works, only with less slack for bursts.
	_ = t.conn.SetReadBuffer(s.sockBuf)
	_ = t.conn.SetWriteBuffer(s.sockBuf)
	port := t.conn.LocalAddr().(*net.UDPAddr).AddrPort().Port() //nolint:forcetypeassert // a UDPConn's address
	if s.announced.IsValid() {
		t.local = netip.AddrPortFrom(s.announced, port)
	} else {
		t.local = netip.AddrPortFrom(s.listen, port)
	}
	go t.readLoop(newRxState())

	return t, nil
}

// LocalTuple is where the remote must send: the announced IP if set, else the listen IP, and the bound port.
func (t *Transport) LocalTuple() (ip string, port int) {
	return t.local.Addr().String(), int(t.local.Port())
}

// SrtpParameters are the suite and key this side sends with (to give to the remote's Connect); nil without SRTP.
// The result is a copy.
func (t *Transport) SrtpParameters() *domain.SrtpParameters {
	if t.keys == nil {
		return nil
	}
	p := t.keys.params

	return &p
}

// Connect sets the remote tuple, the only address the transport will accept packets from and send to, and with
// SRTP the remote's parameters (required then, refused without SRTP): what the remote sends is decrypted with the
// remote's key, what we send is encrypted with ours. Bad arguments wrap domain.ErrInvalidInput; a second
// successful Connect fails with domain.ErrAlreadyConnected; a failed one may be retried.
func (t *Transport) Connect(ctx context.Context, ip string, port int, remote *domain.SrtpParameters) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pipetransport: connect: %w", err)
	}
	t.connectMu.Lock()
	defer t.connectMu.Unlock()
	if t.closed.Load() {
		return ErrClosed
	}
	if t.remote.Load() != nil {
		return fmt.Errorf("pipetransport: %w", domain.ErrAlreadyConnected)
	}
	dst, err := t.parseRemote(ip, port)
	if err != nil {
		return err
	}
	if t.keys != nil {
		rx, err := receiveContext(remote)
		if err != nil {
			return err
		}
		t.rx.Store(rx)
	} else if remote != nil {
		return invalid("srtpParameters given but the transport has SRTP disabled")
	}
	t.lastRx.Store(int64(time.Since(t.epoch)))
	t.remote.Store(&dst)
	if t.idle > 0 {
		// The read loop re-arms the deadline from lastRx; an error here means the socket closed meanwhile.
		_ = t.conn.SetReadDeadline(time.Now().Add(t.idle))
	}

	return nil
}

// parseRemote validates the remote tuple: a unicast address of the socket's family and a real port.
func (t *Transport) parseRemote(ip string, port int) (netip.AddrPort, error) {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.AddrPort{}, invalid("remote ip %q: %w", ip, err)
	}
	addr = addr.Unmap()
	if addr.IsUnspecified() || addr.IsMulticast() || addr == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return netip.AddrPort{}, invalid("remote ip %s is not a unicast address", addr)
	}
	if addr.Is4() != t.bound.Is4() {
		return netip.AddrPort{}, invalid("remote ip %s is not of the family of the listen ip %s", addr, t.bound)
	}
	if port < 1 || port > 65535 {
		return netip.AddrPort{}, invalid("remote port %d is not within 1..65535", port)
	}

	return netip.AddrPortFrom(addr, uint16(port)), nil //nolint:gosec // range checked above
}

// Stats returns a snapshot of the counters.
func (t *Transport) Stats() Stats {
	s := t.stats.snapshot()
	s.ReceiveDrops, _ = sockstat.ConnDrops(t.conn) // best effort: 0 where unsupported or closed
	return s
}

// Close closes the socket, waits for the read goroutine to end and calls OnClose(nil), unless the transport was
// already closed (then it only waits for the read goroutine). Idempotent; always nil.
func (t *Transport) Close() error {
	first := t.shutdown()
	<-t.readDone
	if first && t.onClose != nil {
		t.onClose(nil)
	}

	return nil
}

// shutdown marks the transport closed and closes the socket, which ends the read goroutine. It reports whether this
// call did it: the caller that did is the one to call OnClose.
func (t *Transport) shutdown() bool {
	first := false
	t.closeOnce.Do(func() {
		first = true
		t.closed.Store(true)
		_ = t.conn.Close() // the only error is "already closed"
	})

	return first
}
