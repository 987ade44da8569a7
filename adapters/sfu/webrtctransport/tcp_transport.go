package webrtctransport

import "slices"

// A transport's ICE-TCP connections: every connection a check succeeded on is kept (bounded) until ICE nominates
// a path; then the others close. Guarded by t.mu.

// closeTCPExceptLocked closes every ICE-TCP connection of t but keep (nil: all of them).
func (t *Transport) closeTCPExceptLocked(keep *tcpConn) {
	for _, c := range t.tcpConns {
		if c != keep {
			c.close() // its reader then calls dropTCP
		}
	}
}

// forgetOldestTCPLocked closes the oldest connection that is not the selected path.
func (t *Transport) forgetOldestTCPLocked() {
	sel := t.selected.Load()
	for i, c := range t.tcpConns {
		if sel != nil && sel.tcp == c {
			continue
		}
		t.tcpConns = slices.Delete(t.tcpConns, i, i+1)
		c.close()
		return
	}
}

// dropTCP forgets a connection that ended. If it was the selected path, the transport falls back to the last
// UDP address ICE validated, or to none until the client checks again.
func (t *Transport) dropTCP(c *tcpConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tcpConns = slices.DeleteFunc(t.tcpConns, func(x *tcpConn) bool { return x == c })
	sel := t.selected.Load()
	if sel == nil || sel.tcp != c {
		return
	}
	if n := len(t.validated); n > 0 {
		p := t.validated[n-1]
		t.selected.Store(&p)
	} else {
		t.selected.Store(nil)
	}
	t.nominated.Store(false)
}
