package webrtctransport

import "net/netip"

// path is where a transport's packets come from and go to: a remote address on the Mux's UDP socket, or an
// ICE-TCP connection (RFC 6544) accepted on the Mux's TCP listener.
type path struct {
	addr netip.AddrPort // the remote address (the connection's peer, for TCP)
	l    *listener      // the local end: the socket (UDP) or listener (TCP) it came in on
	tcp  *tcpConn       // nil for UDP
}

// same reports whether q is the path p.
func (p path) same(q *path) bool { return q != nil && p.addr == q.addr && p.l == q.l && p.tcp == q.tcp }

// protocol is "udp" or "tcp", as candidates name it.
func (p path) protocol() string {
	if p.tcp != nil {
		return "tcp"
	}
	return "udp"
}

func (p path) String() string { return p.protocol() + " " + p.addr.String() }
