package webrtctransport

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/pion/logging"
	"go.uber.org/zap"
)

// socketBufferSize asks the kernel for room for a burst of video for every
// transport sharing the socket; the kernel caps it at net.core.[rw]mem_max.
const socketBufferSize = 4 << 20

// maxListen bounds MuxConfig.Listen (each address costs a socket and a goroutine, and lowers the next one's
// candidate priority).
const maxListen = 16

// Mux owns the UDP sockets that every transport of a slave shares (one per listen address), the goroutines that
// read them and the ICE-TCP listeners. Lifecycle: NewMux (bound, reading) → Close (every transport closed,
// goroutines ended, sockets closed). Not reusable.
type Mux struct {
	listeners    []*listener
	batches      batchPool
	cert         tls.Certificate
	fingerprints []Fingerprint
	log          *zap.Logger
	dtlsLog      logging.LoggerFactory
	epoch        time.Time // base of the monotonic activity clock

	mu      sync.RWMutex
	closed  bool
	byUfrag map[string]*Transport
	// byAddr holds only ICE-validated source addresses: the gate that keeps
	// unauthenticated peers away from DTLS and SRTP.
	byAddr map[netip.AddrPort]*Transport

	// ICE-TCP: tcpConns are the open connections, tcpGoroutines the accept loops and the connections' reader and
	// writer.
	tcpQueue      int
	tcpFirstCheck time.Duration
	tcpConns      map[*tcpConn]struct{}
	tcpGoroutines sync.WaitGroup

	closeOnce  sync.Once
	closeErr   error
	goroutines sync.WaitGroup // transports' DTLS and close goroutines
	stats      muxCounters
}

// NewMux binds the sockets and starts reading them.
func NewMux(cfg MuxConfig) (*Mux, error) {
	listen := cfg.Listen
	if len(listen) == 0 {
		if cfg.ListenIP == "" {
			return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, errNoListen)
		}
		listen = []ListenAddr{{IP: cfg.ListenIP, AnnouncedIP: cfg.AnnouncedIP}}
	}
	if len(listen) > maxListen {
		return nil, fmt.Errorf("%w: %d listen addresses, at most %d", ErrInvalidConfig, len(listen), maxListen)
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("%w: port %d", ErrInvalidConfig, cfg.Port)
	}
	if cfg.TCPPort < TCPDisabled || cfg.TCPPort > 65535 || cfg.TCPSendQueue < 0 || cfg.TCPFirstCheckTimeout < 0 {
		return nil, fmt.Errorf("%w: tcp port %d, tcp send queue %d", ErrInvalidConfig, cfg.TCPPort, cfg.TCPSendQueue)
	}
	if cfg.TCPSendQueue == 0 {
		cfg.TCPSendQueue = DefaultTCPSendQueue
	}
	if cfg.TCPFirstCheckTimeout == 0 {
		cfg.TCPFirstCheckTimeout = DefaultTCPFirstCheckTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	cert, err := newCertificate()
	if err != nil {
		return nil, fmt.Errorf("webrtctransport: certificate: %w", err)
	}
	fp, err := fingerprintOf(cert.Certificate[0], "sha-256")
	if err != nil {
		return nil, err
	}

	m := &Mux{
		cert:          cert,
		fingerprints:  []Fingerprint{fp},
		log:           log,
		dtlsLog:       pionLoggerFactory{log: log},
		epoch:         time.Now(),
		byUfrag:       make(map[string]*Transport),
		byAddr:        make(map[netip.AddrPort]*Transport),
		tcpQueue:      cfg.TCPSendQueue,
		tcpFirstCheck: cfg.TCPFirstCheckTimeout,
		tcpConns:      make(map[*tcpConn]struct{}),
	}
	for i, a := range listen {
		l, err := openListener(cfg, a, i)
		if err != nil {
			for _, opened := range m.listeners {
				opened.closeUnstarted()
			}
			return nil, err
		}
		m.listeners = append(m.listeners, l)
	}
	for _, l := range m.listeners {
		go m.readLoop(l)
		if l.tcpLn != nil {
			m.tcpGoroutines.Add(1)
			go m.acceptLoop(l)
		}
		log.Info("webrtc mux listening", zap.Stringer("addr", l.localAddr), zap.Stringer("tcp_addr", l.tcpAddr()),
			zap.String("candidate_ip", l.candidateIP))
	}

	return m, nil
}

// LocalAddr is the first listen address's bound UDP address (with the chosen port when Port was 0).
func (m *Mux) LocalAddr() *net.UDPAddr { return m.LocalAddrs()[0] }

// LocalAddrs are the bound UDP addresses, one per listen address, in MuxConfig.Listen's order.
func (m *Mux) LocalAddrs() []*net.UDPAddr {
	out := make([]*net.UDPAddr, 0, len(m.listeners))
	for _, l := range m.listeners {
		out = append(out, &net.UDPAddr{IP: l.localAddr.IP, Port: l.localAddr.Port, Zone: l.localAddr.Zone})
	}
	return out
}

// Stats returns the counters of packets no transport could be blamed for.
func (m *Mux) Stats() MuxStats {
	s := m.stats.snapshot()
	for _, l := range m.listeners {
		drops, _ := l.sock.receiveDrops() // best effort: 0 where unsupported or closed
		s.ReceiveDrops += drops
	}
	m.mu.RLock()
	s.TCPOpen = len(m.tcpConns)
	m.mu.RUnlock()
	return s
}

// Close closes every transport (OnClose reason ErrMuxClosed), waits for
// their goroutines, OnClose callbacks included, then closes the socket and
// waits for the read goroutine. It must not be called from a PacketHandler
// or OnClose callback. Idempotent.
func (m *Mux) Close() error {
	m.closeOnce.Do(func() {
		m.mu.Lock()
		m.closed = true
		transports := make([]*Transport, 0, len(m.byUfrag))
		for _, t := range m.byUfrag {
			transports = append(transports, t)
		}
		m.mu.Unlock()

		for _, t := range transports {
			t.closeWith(ErrMuxClosed)
		}
		// Transports say close_notify on the socket: keep it open until
		// they are done.
		m.goroutines.Wait()
		m.closeTCP()
		var errs []error
		for _, l := range m.listeners {
			errs = append(errs, l.sock.close())
		}
		for _, l := range m.listeners {
			<-l.readDone
		}
		m.closeErr = errors.Join(errs...)
		m.log.Info("webrtc mux closed", zap.Stringer("addr", m.LocalAddr()))
	})

	return m.closeErr
}

// now is the monotonic activity clock shared by the transports' idle timers.
func (m *Mux) now() int64 { return int64(time.Since(m.epoch)) }

// registerNewCreds draws credentials for t, makes them t's current ones and
// routes their ufrag to t (beside any ufrag t already has).
func (m *Mux) registerNewCreds(t *Transport) (*iceCreds, error) {
	for range ufragAttempts {
		c, err := newICECreds()
		if err != nil {
			return nil, err
		}
		ok, err := m.register(t, c)
		if err != nil {
			return nil, err
		}
		if ok {
			return c, nil
		}
	}
	return nil, errUfragCollision
}

// register routes c's ufrag to t and makes c t's current credentials;
// false if the ufrag is taken.
func (m *Mux) register(t *Transport, c *iceCreds) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false, ErrMuxClosed
	}
	if _, taken := m.byUfrag[c.ufrag]; taken {
		return false, nil
	}
	t.creds.Store(c)
	m.byUfrag[c.ufrag] = t

	return true, nil
}

// forgetUfrag stops routing ufrag to t.
func (m *Mux) forgetUfrag(ufrag string, t *Transport) {
	m.mu.Lock()
	if m.byUfrag[ufrag] == t {
		delete(m.byUfrag, ufrag)
	}
	m.mu.Unlock()
}

// unregister removes a closing transport and the addresses it validated.
func (m *Mux) unregister(t *Transport, paths []path) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range []*iceCreds{t.creds.Load(), t.oldCreds.Load()} {
		if c != nil && m.byUfrag[c.ufrag] == t {
			delete(m.byUfrag, c.ufrag)
		}
	}
	for _, p := range paths {
		if m.byAddr[p.addr] == t {
			delete(m.byAddr, p.addr)
		}
	}
}

// bindAddr routes a freshly validated address to t. A later validation by
// another transport wins: the address moved (NAT rebinding, port reuse).
func (m *Mux) bindAddr(a netip.AddrPort, t *Transport) {
	m.mu.Lock()
	m.byAddr[a] = t
	m.mu.Unlock()
}

// unbindAddr forgets an address t no longer owns.
func (m *Mux) unbindAddr(a netip.AddrPort, t *Transport) {
	m.mu.Lock()
	if m.byAddr[a] == t {
		delete(m.byAddr, a)
	}
	m.mu.Unlock()
}

// byUfragBytes finds a transport without allocating: the compiler does not
// copy a []byte converted to string only for a map lookup.
func (m *Mux) byUfragBytes(ufrag []byte) *Transport {
	m.mu.RLock()
	t := m.byUfrag[string(ufrag)]
	m.mu.RUnlock()

	return t
}

func (m *Mux) byAddrPort(a netip.AddrPort) *Transport {
	m.mu.RLock()
	t := m.byAddr[a]
	m.mu.RUnlock()

	return t
}
