package webrtctransport

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// listener is one listen address of a Mux (MuxConfig.Listen): its UDP socket, read by its own goroutine, the IP
// its candidates announce, and its ICE-TCP listener (nil when ICE-TCP is off). Every transport of the Mux can be
// reached on every listener: a check on any of them names the transport by its ufrag, and the transport answers
// and sends from the listener its selected path came in on.
type listener struct {
	index       int // in MuxConfig.Listen: lower is preferred (candidate priority)
	sock        *muxSocket
	localAddr   *net.UDPAddr
	candidateIP string
	tcpLn       *net.TCPListener
	readDone    chan struct{}
}

// openListener binds one listen address's UDP socket and, unless ICE-TCP is off, its TCP listener.
func openListener(cfg MuxConfig, a ListenAddr, index int) (*listener, error) {
	listenIP, err := netip.ParseAddr(a.IP)
	if err != nil {
		return nil, fmt.Errorf("%w: listen ip %q: %w", ErrInvalidConfig, a.IP, err)
	}
	listenIP = listenIP.Unmap()
	candidateIP := a.AnnouncedIP
	if candidateIP == "" {
		if listenIP.IsUnspecified() {
			return nil, fmt.Errorf("%w: announced ip required when listening on %s", ErrInvalidConfig, listenIP)
		}
		candidateIP = listenIP.String()
	} else if _, err := netip.ParseAddr(candidateIP); err != nil {
		return nil, fmt.Errorf("%w: announced ip %q: %w", ErrInvalidConfig, candidateIP, err)
	}
	network := "udp4"
	if listenIP.Is6() {
		network = "udp6"
		if listenIP.IsUnspecified() {
			network = "udp" // dual stack: "::" also takes IPv4
		}
	}
	conn, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(listenIP, uint16(cfg.Port)))) //nolint:gosec // port range checked by NewMux
	if err != nil {
		return nil, fmt.Errorf("webrtctransport: listen %s:%d: %w", listenIP, cfg.Port, err)
	}
	// Best effort: a smaller kernel buffer only means earlier drops under load.
	_ = conn.SetReadBuffer(socketBufferSize)
	_ = conn.SetWriteBuffer(socketBufferSize)
	l := &listener{index: index, localAddr: conn.LocalAddr().(*net.UDPAddr), candidateIP: candidateIP, //nolint:forcetypeassert // a UDPConn's address is a UDPAddr
		readDone: make(chan struct{})}
	if cfg.TCPPort != TCPDisabled {
		if l.tcpLn, err = listenTCP(cfg, listenIP, l.localAddr.Port); err != nil {
			_ = conn.Close()
			return nil, err
		}
	}
	if l.sock, err = newMuxSocket(conn); err != nil {
		_ = conn.Close()
		if l.tcpLn != nil {
			_ = l.tcpLn.Close()
		}
		return nil, err
	}
	return l, nil
}

// closeUnstarted frees a listener whose read loop never started (NewMux failing half-way).
func (l *listener) closeUnstarted() {
	_ = l.sock.close()
	if l.tcpLn != nil {
		_ = l.tcpLn.Close()
	}
}

// candidates are the listener's host candidates, with mediasoup's priorities (credentials.go).
func (l *listener) candidates() []Candidate {
	out := []Candidate{{
		Foundation: udpCandidateFoundation,
		Priority:   candidatePriority(udpLocalPreference, l.index),
		IP:         l.candidateIP,
		Port:       l.localAddr.Port,
		Protocol:   "udp",
		Type:       "host",
	}}
	if l.tcpLn != nil {
		out = append(out, Candidate{
			Foundation: tcpCandidateFoundation,
			Priority:   candidatePriority(tcpLocalPreference, l.index),
			IP:         l.candidateIP,
			Port:       l.tcpLn.Addr().(*net.TCPAddr).Port, //nolint:forcetypeassert // a TCPListener's address is a TCPAddr
			Protocol:   "tcp",
			Type:       "host",
			TCPType:    "passive",
		})
	}
	return out
}

// errNoListen is NewMux's error for a MuxConfig without any address.
var errNoListen = errors.New("no listen address")
