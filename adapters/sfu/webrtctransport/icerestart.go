package webrtctransport

import "go.uber.org/zap"

// ICE restart (RFC 8445 §9), as mediasoup's IceServer does it: RestartICE
// makes new local credentials and routes their ufrag to the transport
// beside the current one. Checks with the old credentials keep working
// until the first check with the new ones succeeds: between the server's
// restart and the client's (the new parameters travel through the app's
// signalling), the client's consent checks still use the old ones, and
// rejecting them would break a working call. That first check then
// retires the old credentials and moves the transport to the address it
// came from at once, without waiting for USE-CANDIDATE. DTLS, SRTP and
// every media object stay as they were: a restart changes the path, not the
// session.

// RestartICE replaces the local ICE credentials and returns the new ones.
// A second restart before the first was used retires the credentials from
// before the first.
func (t *Transport) RestartICE() (ufrag, password string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return "", "", ErrTransportClosed
	}
	prev := t.creds.Load()
	if older := t.oldCreds.Swap(prev); older != nil {
		t.mux.forgetUfrag(older.ufrag, t)
	}
	c, err := t.mux.registerNewCreds(t)
	if err != nil {
		t.oldCreds.Store(nil) // prev is still the current one
		return "", "", err
	}
	t.stats.iceRestarts.Add(1)
	t.nominated.Store(false) // until the client nominates a pair with the new credentials
	// The client needs a moment to apply the new parameters: count the
	// restart as activity for the idle timer.
	t.touch()
	t.log.Debug("ice restarted", zap.String("ufrag", c.ufrag))
	return c.ufrag, c.password, nil
}

// credsFor returns the credentials a check's ufrag names, and whether they
// are the current ones while old ones are still accepted (a check that
// completes a restart); nil if ufrag is neither.
func (t *Transport) credsFor(ufrag []byte) (c *iceCreds, fresh bool) {
	if cur := t.creds.Load(); string(ufrag) == cur.ufrag {
		return cur, t.oldCreds.Load() != nil
	}
	if old := t.oldCreds.Load(); old != nil && string(ufrag) == old.ufrag {
		return old, false
	}
	return nil, false
}

// finishRestart retires the old credentials after a check with the new
// ones succeeded; true if this call did it (the check's address is then
// selected).
func (t *Transport) finishRestart() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.oldCreds.Swap(nil)
	if old == nil || t.closed {
		return false
	}
	t.mux.forgetUfrag(old.ufrag, t)
	t.stats.iceRestartsDone.Add(1)
	t.log.Debug("ice restart completed")
	return true
}
