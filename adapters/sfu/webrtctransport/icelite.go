package webrtctransport

import (
	"bytes"
	"slices"
	"time"

	"github.com/pion/stun/v3"
	"go.uber.org/zap"
)

// maxValidatedAddrs bounds the source addresses one transport remembers: a
// browser validates one per local interface it checks from.
const maxValidatedAddrs = 8

// messageIntegritySize is the HMAC-SHA1 length of MESSAGE-INTEGRITY
// (RFC 5389 §15.4).
const messageIntegritySize = 20

// bindingIndication is a keepalive (RFC 8445 §11); pion/stun names no such type.
var bindingIndication = stun.NewType(stun.MethodBinding, stun.ClassIndication) //nolint:gochecknoglobals // a constant in all but name

// handleSTUN is the ICE-lite responder (RFC 8445 §2.5): we never send
// checks, we answer them. A Binding Request is for the transport whose
// ufrag is the part of USERNAME before ":" (RFC 8445 §7.2.2: "local:remote"
// from the receiver's view); the remote ufrag is not needed. It reports
// whether pkt was a valid check or keepalive of a known transport: an
// ICE-TCP connection that sends anything else is closed.
func (m *Mux) handleSTUN(rx *rxState, pkt []byte, from path) bool {
	req := &rx.req
	req.Raw = pkt
	if !stun.IsMessage(pkt) || req.Decode() != nil {
		m.stats.malformed.Add(1)

		return false
	}
	if req.Type != stun.BindingRequest {
		// Binding indications are keepalives (RFC 8445 §11) that need no
		// answer; no other STUN method belongs on an ICE-lite port.
		if t := m.transportOn(from); t != nil && req.Type == bindingIndication {
			t.touch()

			return true
		}

		return false
	}
	username, err := req.Get(stun.AttrUsername)
	if err != nil {
		m.stats.malformed.Add(1)

		return false
	}
	colon := bytes.IndexByte(username, ':')
	if colon <= 0 {
		m.stats.unknownUfrag.Add(1)

		return false
	}
	t := m.byUfragBytes(username[:colon])
	if t == nil {
		m.stats.unknownUfrag.Add(1)

		return false
	}

	return t.handleBindingRequest(rx, req, from, username[:colon])
}

// transportOn is the transport a validated path belongs to, nil if none.
func (m *Mux) transportOn(p path) *Transport {
	if p.tcp != nil {
		return p.tcp.t.Load()
	}

	return m.byAddrPort(p.addr)
}

// handleBindingRequest authenticates a check and answers it (RFC 8445
// §7.3). A request that fails MESSAGE-INTEGRITY gets no answer at all:
// answering would give anyone who knows a ufrag a reflector.
func (t *Transport) handleBindingRequest(rx *rxState, req *stun.Message, from path, ufrag []byte) bool {
	creds, fresh := t.credsFor(ufrag)
	if creds == nil {
		t.stats.stunRejected.Add(1) // an old ufrag forgotten since the lookup

		return false
	}
	mi, err := req.Get(stun.AttrMessageIntegrity)
	if err != nil || len(mi) != messageIntegritySize || creds.integrity.Check(req) != nil {
		t.stats.stunRejected.Add(1)

		return false
	}
	if req.Contains(stun.AttrFingerprint) && stun.Fingerprint.Check(req) != nil {
		t.stats.stunRejected.Add(1)

		return false
	}
	// One ICE-TCP connection carries one transport (RFC 6544 §7.1: a
	// connection belongs to one candidate pair).
	if from.tcp != nil && !from.tcp.claim(t) {
		t.stats.stunRejected.Add(1)

		return false
	}
	t.stats.received(len(req.Raw))

	// Success response (RFC 5389 §7.3.1, §15.2): same transaction id, the
	// source we saw as XOR-MAPPED-ADDRESS, integrity with our password,
	// FINGERPRINT last (RFC 8445 §7.3).
	src := from.addr
	resp := &rx.resp
	err = resp.Build(
		stun.NewTransactionIDSetter(req.TransactionID),
		stun.BindingSuccess,
		&stun.XORMappedAddress{IP: src.Addr().AsSlice(), Port: int(src.Port())},
		creds.integrity,
		stun.Fingerprint,
	)
	if err != nil {
		t.log.Debug("stun response", zap.Error(err))

		return false
	}
	useCandidate := req.Contains(stun.AttrUseCandidate)
	restarted := fresh && t.finishRestart()
	t.validate(from, useCandidate || restarted, useCandidate)
	if useCandidate && creds == t.creds.Load() {
		t.nominated.Store(true)
	}
	t.sendTo(resp.Raw, from)

	return true
}

// validate records a path ICE just authenticated and selects it when
// the controlling agent says USE-CANDIDATE (RFC 8445 §7.3.1.5), or when
// nothing is selected yet: Chromium's first check lacks USE-CANDIDATE and
// DTLS can start at once. A nomination (nominated) closes every other
// ICE-TCP connection of the transport: one connection per transport, the
// one ICE chose.
func (t *Transport) validate(p path, selectIt, nominated bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.touch()
	if p.tcp == nil {
		if !slices.Contains(t.validated, p) {
			if len(t.validated) >= maxValidatedAddrs {
				t.forgetOldestLocked()
			}
			t.validated = append(t.validated, p)
		}
		// Always (re)bind: another transport may have taken the address since.
		t.mux.bindAddr(p.addr, t)
	} else if !slices.Contains(t.tcpConns, p.tcp) {
		if len(t.tcpConns) >= maxValidatedAddrs {
			t.forgetOldestTCPLocked()
		}
		t.tcpConns = append(t.tcpConns, p.tcp)
	}

	if sel := t.selected.Load(); sel == nil || (selectIt && !p.same(sel)) {
		if t.selectedAt.IsZero() {
			t.selectedAt = time.Now()
		}
		t.selected.Store(&p)
		t.log.Debug("ice selected", zap.Stringer("remote", p), zap.Bool("nominated", nominated))
	}
	if nominated {
		t.closeTCPExceptLocked(p.tcp)
	}
	t.maybeStartDTLSLocked()
}

// forgetOldestLocked drops the oldest validated address that is not the
// selected one. t.mu must be held.
func (t *Transport) forgetOldestLocked() {
	sel := t.selected.Load()
	for i, a := range t.validated {
		if a.same(sel) {
			continue
		}
		t.validated = slices.Delete(t.validated, i, i+1)
		if !slices.ContainsFunc(t.validated, func(o path) bool { return o.addr == a.addr }) {
			t.mux.unbindAddr(a.addr, t) // the address may still be validated on another socket
		}

		return
	}
}

// sendTo answers a check on the path it came from, selected or not.
func (t *Transport) sendTo(b []byte, p path) {
	if p.tcp != nil {
		if p.tcp.send(b) {
			t.stats.sent(len(b))
		} else {
			t.stats.tcpDropped.Add(1)
		}

		return
	}
	if err := p.l.sock.writeTo(b, p.addr); err != nil {
		t.log.Debug("stun send", zap.Error(err))

		return
	}
	t.stats.sent(len(b))
}
