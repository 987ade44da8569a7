package webrtctransport

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"go.uber.org/zap"
)

// TCPDisabled as MuxConfig.TCPPort turns ICE-TCP off.
const TCPDisabled = -1

// acceptBackoff paces Accept after an error such as EMFILE, which would otherwise repeat at once.
const acceptBackoff = 50 * time.Millisecond

// listenTCP binds the ICE-TCP listener (RFC 6544 passive candidates) beside the UDP socket: port 0 in cfg means
// the UDP port's number (any free port when that was 0 too).
func listenTCP(cfg MuxConfig, ip netip.Addr, udpPort int) (*net.TCPListener, error) {
	port := cfg.TCPPort
	if port == 0 && cfg.Port != 0 {
		port = udpPort
	}
	network := "tcp4"
	if ip.Is6() {
		network = "tcp6"
		if ip.IsUnspecified() {
			network = "tcp"
		}
	}
	ln, err := net.ListenTCP(network, net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port)))) //nolint:gosec // range checked by NewMux
	if err != nil {
		return nil, fmt.Errorf("webrtctransport: listen tcp %s:%d: %w", ip, port, err)
	}
	return ln, nil
}

// acceptLoop takes ICE-TCP connections on l until its listener closes.
func (m *Mux) acceptLoop(l *listener) {
	defer m.tcpGoroutines.Done()
	for {
		conn, err := l.tcpLn.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			m.log.Debug("ice-tcp accept", zap.Error(err))
			time.Sleep(acceptBackoff)
			continue
		}
		_ = conn.SetWriteBuffer(tcpKernelSendBuffer) // best effort
		c := newTCPConn(m, l, conn, m.tcpQueue)
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			_ = conn.Close()
			continue
		}
		m.tcpConns[c] = struct{}{}
		m.tcpGoroutines.Add(2)
		m.mu.Unlock()
		m.stats.tcpAccepted.Add(1)
		go c.readLoop()
		go c.writeLoop()
	}
}

// forgetTCP drops an ended connection from the Mux.
func (m *Mux) forgetTCP(c *tcpConn) {
	m.mu.Lock()
	delete(m.tcpConns, c)
	m.mu.Unlock()
}

// closeTCP closes the listeners and every connection, and waits for their goroutines. Mux.Close only.
func (m *Mux) closeTCP() {
	for _, l := range m.listeners {
		if l.tcpLn != nil {
			_ = l.tcpLn.Close()
		}
	}
	m.mu.Lock()
	conns := make([]*tcpConn, 0, len(m.tcpConns))
	for c := range m.tcpConns {
		conns = append(conns, c)
	}
	m.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
	m.tcpGoroutines.Wait()
}

// TCPAddr is the first listen address's ICE-TCP listener address; nil when ICE-TCP is off.
func (m *Mux) TCPAddr() *net.TCPAddr { return m.listeners[0].tcpAddr() }

func (l *listener) tcpAddr() *net.TCPAddr {
	if l.tcpLn == nil {
		return nil
	}
	a := l.tcpLn.Addr().(*net.TCPAddr) //nolint:forcetypeassert // a TCPListener's address is a TCPAddr
	return &net.TCPAddr{IP: a.IP, Port: a.Port, Zone: a.Zone}
}
