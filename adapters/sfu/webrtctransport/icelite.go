package webrtctransport

import (
	"bytes"
	"net/netip"
	"slices"

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
// from the receiver's view); the remote ufrag is not needed.
func (m *Mux) handleSTUN(rx *rxState, pkt []byte, src netip.AddrPort) {
	req := &rx.req
	req.Raw = pkt
	if !stun.IsMessage(pkt) || req.Decode() != nil {
		m.stats.malformed.Add(1)

		return
	}
	if req.Type != stun.BindingRequest {
		// Binding indications are keepalives (RFC 8445 §11) that need no
		// answer; no other STUN method belongs on an ICE-lite port.
		if t := m.byAddrPort(src); t != nil && req.Type == bindingIndication {
			t.touch()
		}

		return
	}
	username, err := req.Get(stun.AttrUsername)
	if err != nil {
		m.stats.malformed.Add(1)

		return
	}
	colon := bytes.IndexByte(username, ':')
	if colon <= 0 {
		m.stats.unknownUfrag.Add(1)

		return
	}
	t := m.byUfragBytes(username[:colon])
	if t == nil {
		m.stats.unknownUfrag.Add(1)

		return
	}
	t.handleBindingRequest(rx, req, src, username[:colon])
}

// handleBindingRequest authenticates a check and answers it (RFC 8445
// §7.3). A request that fails MESSAGE-INTEGRITY gets no answer at all:
// answering would give anyone who knows a ufrag a reflector.
func (t *Transport) handleBindingRequest(rx *rxState, req *stun.Message, src netip.AddrPort, ufrag []byte) {
	creds, fresh := t.credsFor(ufrag)
	if creds == nil {
		t.stats.stunRejected.Add(1) // an old ufrag forgotten since the lookup

		return
	}
	mi, err := req.Get(stun.AttrMessageIntegrity)
	if err != nil || len(mi) != messageIntegritySize || creds.integrity.Check(req) != nil {
		t.stats.stunRejected.Add(1)

		return
	}
	if req.Contains(stun.AttrFingerprint) && stun.Fingerprint.Check(req) != nil {
		t.stats.stunRejected.Add(1)

		return
	}
	t.stats.received(len(req.Raw))

	// Success response (RFC 5389 §7.3.1, §15.2): same transaction id, the
	// source we saw as XOR-MAPPED-ADDRESS, integrity with our password,
	// FINGERPRINT last (RFC 8445 §7.3).
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

		return
	}
	useCandidate := req.Contains(stun.AttrUseCandidate)
	restarted := fresh && t.finishRestart()
	t.validate(src, useCandidate || restarted)
	if useCandidate && creds == t.creds.Load() {
		t.nominated.Store(true)
	}
	t.sendTo(resp.Raw, src)
}

// validate records an address ICE just authenticated and nominates it when
// the controlling agent says USE-CANDIDATE (RFC 8445 §7.3.1.5), or when
// nothing is selected yet: Chromium's first check lacks USE-CANDIDATE and
// DTLS can start at once.
func (t *Transport) validate(src netip.AddrPort, useCandidate bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.touch()
	if !slices.Contains(t.validated, src) {
		if len(t.validated) >= maxValidatedAddrs {
			t.forgetOldestLocked()
		}
		t.validated = append(t.validated, src)
	}
	// Always (re)bind: another transport may have taken the address since.
	t.mux.bindAddr(src, t)

	if sel := t.selected.Load(); sel == nil || (useCandidate && *sel != src) {
		t.selected.Store(&src)
		t.log.Debug("ice selected", zap.Stringer("remote", src), zap.Bool("use_candidate", useCandidate))
	}
	t.maybeStartDTLSLocked()
}

// forgetOldestLocked drops the oldest validated address that is not the
// selected one. t.mu must be held.
func (t *Transport) forgetOldestLocked() {
	sel := t.selected.Load()
	for i, a := range t.validated {
		if sel != nil && a == *sel {
			continue
		}
		t.validated = slices.Delete(t.validated, i, i+1)
		t.mux.unbindAddr(a, t)

		return
	}
}

// sendTo answers a check at the address it came from, selected or not.
func (t *Transport) sendTo(b []byte, dst netip.AddrPort) {
	if err := t.mux.sock.writeTo(b, dst); err != nil {
		t.log.Debug("stun send", zap.Error(err))

		return
	}
	t.stats.sent(len(b))
}
