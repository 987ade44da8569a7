package webrtctransport

import (
	"crypto/tls"
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

// Mux owns the one UDP socket that every transport of a slave shares, and
// the goroutine that reads it. Lifecycle: NewMux (bound, reading) → Close
// (every transport closed, goroutines ended, socket closed). Not reusable.
type Mux struct {
	sock         *muxSocket
	batches      batchPool
	localAddr    *net.UDPAddr
	candidateIP  string
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

	// ICE-TCP (nil listener when off): tcpConns are the open connections, tcpGoroutines the accept loop and
	// the connections' reader and writer.
	tcpLn         *net.TCPListener
	tcpQueue      int
	tcpFirstCheck time.Duration
	tcpConns      map[*tcpConn]struct{}
	tcpGoroutines sync.WaitGroup

	closeOnce  sync.Once
	closeErr   error
	goroutines sync.WaitGroup // transports' DTLS and close goroutines
	readDone   chan struct{}
	stats      muxCounters
}

// NewMux binds the socket and starts reading it.
func NewMux(cfg MuxConfig) (*Mux, error) {
	listenIP, err := netip.ParseAddr(cfg.ListenIP)
	if err != nil {
		return nil, fmt.Errorf("%w: listen ip %q: %w", ErrInvalidConfig, cfg.ListenIP, err)
	}
	listenIP = listenIP.Unmap()
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
	candidateIP := cfg.AnnouncedIP
	if candidateIP == "" {
		if listenIP.IsUnspecified() {
			return nil, fmt.Errorf("%w: announced ip required when listening on %s", ErrInvalidConfig, listenIP)
		}
		candidateIP = listenIP.String()
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

	network := "udp4"
	if listenIP.Is6() {
		network = "udp6"
		if listenIP.IsUnspecified() {
			network = "udp" // dual stack: "::" also takes IPv4
		}
	}
	conn, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(listenIP, uint16(cfg.Port)))) //nolint:gosec // port range checked above
	if err != nil {
		return nil, fmt.Errorf("webrtctransport: listen %s:%d: %w", listenIP, cfg.Port, err)
	}
	// Best effort: a smaller kernel buffer only means earlier drops under load.
	_ = conn.SetReadBuffer(socketBufferSize)
	_ = conn.SetWriteBuffer(socketBufferSize)

	localAddr := conn.LocalAddr().(*net.UDPAddr) //nolint:forcetypeassert // a UDPConn's address is a UDPAddr
	var tcpLn *net.TCPListener
	if cfg.TCPPort != TCPDisabled {
		if tcpLn, err = listenTCP(cfg, listenIP, localAddr.Port); err != nil {
			_ = conn.Close()
			return nil, err
		}
	}
	sock, err := newMuxSocket(conn)
	if err != nil {
		_ = conn.Close()
		if tcpLn != nil {
			_ = tcpLn.Close()
		}
		return nil, err
	}

	m := &Mux{
		sock:          sock,
		localAddr:     localAddr,
		candidateIP:   candidateIP,
		cert:          cert,
		fingerprints:  []Fingerprint{fp},
		log:           log,
		dtlsLog:       pionLoggerFactory{log: log},
		epoch:         time.Now(),
		byUfrag:       make(map[string]*Transport),
		byAddr:        make(map[netip.AddrPort]*Transport),
		readDone:      make(chan struct{}),
		tcpLn:         tcpLn,
		tcpQueue:      cfg.TCPSendQueue,
		tcpFirstCheck: cfg.TCPFirstCheckTimeout,
		tcpConns:      make(map[*tcpConn]struct{}),
	}
	go m.readLoop()
	if tcpLn != nil {
		m.tcpGoroutines.Add(1)
		go m.acceptLoop()
	}
	log.Info("webrtc mux listening", zap.Stringer("addr", m.localAddr), zap.Stringer("tcp_addr", m.TCPAddr()),
		zap.String("candidate_ip", candidateIP))

	return m, nil
}

// LocalAddr is the bound address (with the chosen port when Port was 0).
func (m *Mux) LocalAddr() *net.UDPAddr {
	return &net.UDPAddr{IP: m.localAddr.IP, Port: m.localAddr.Port, Zone: m.localAddr.Zone}
}

// Stats returns the counters of packets no transport could be blamed for.
func (m *Mux) Stats() MuxStats {
	s := m.stats.snapshot()
	s.ReceiveDrops, _ = m.sock.receiveDrops() // best effort: 0 where unsupported or closed
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
		m.closeErr = m.sock.close()
		<-m.readDone
		m.log.Info("webrtc mux closed", zap.Stringer("addr", m.localAddr))
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
func (m *Mux) unregister(t *Transport, addrs []netip.AddrPort) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range []*iceCreds{t.creds.Load(), t.oldCreds.Load()} {
		if c != nil && m.byUfrag[c.ufrag] == t {
			delete(m.byUfrag, c.ufrag)
		}
	}
	for _, a := range addrs {
		if m.byAddr[a] == t {
			delete(m.byAddr, a)
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
