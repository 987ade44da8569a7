package testpeer

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/stun/v3"
	"github.com/stretchr/testify/require"
)

// BindingRequest builds what Chromium sends (RFC 8445 §7.2.2): USERNAME "serverUfrag:clientUfrag", PRIORITY,
// ICE-CONTROLLING, optionally USE-CANDIDATE, MESSAGE-INTEGRITY keyed with the server's password, FINGERPRINT.
func BindingRequest(tb testing.TB, ufrag, password string, useCandidate bool) *stun.Message {
	tb.Helper()
	prio := make([]byte, 4)
	binary.BigEndian.PutUint32(prio, 1845501695)
	tieBreaker := make([]byte, 8)
	binary.BigEndian.PutUint64(tieBreaker, 0x1122334455667788)
	setters := []stun.Setter{
		stun.TransactionID, stun.BindingRequest,
		stun.NewUsername(ufrag + ":Cl1e"),
		stun.RawAttribute{Type: stun.AttrPriority, Value: prio},
		stun.RawAttribute{Type: stun.AttrICEControlling, Value: tieBreaker},
	}
	if useCandidate {
		setters = append(setters, stun.RawAttribute{Type: stun.AttrUseCandidate})
	}
	setters = append(setters, stun.NewShortTermIntegrity(password), stun.Fingerprint)
	m, err := stun.Build(setters...)
	require.NoError(tb, err)
	return m
}

// Bind sends one check and waits for its answer; nil when none came within wait. An answer is checked like a
// browser would: same transaction, integrity with the server's password, fingerprint, our own address mapped.
func (p *Peer) Bind(ufrag, password string, useCandidate bool, wait time.Duration) *stun.Message {
	p.tb.Helper()
	req := BindingRequest(p.tb, ufrag, password, useCandidate)
	p.SendRaw(req.Raw)
	deadline := time.After(wait)
	for {
		select {
		case raw := <-p.stunIn:
			resp := &stun.Message{Raw: raw}
			require.NoError(p.tb, resp.Decode())
			if resp.TransactionID != req.TransactionID {
				continue
			}
			require.Equal(p.tb, stun.BindingSuccess, resp.Type)
			require.NoError(p.tb, stun.NewShortTermIntegrity(password).Check(resp), "response integrity")
			require.NoError(p.tb, stun.Fingerprint.Check(resp), "response fingerprint")
			var mapped stun.XORMappedAddress
			require.NoError(p.tb, mapped.GetFrom(resp))
			got, ok := netip.AddrFromSlice(mapped.IP)
			require.True(p.tb, ok)
			require.Equal(p.tb, p.Addr(), netip.AddrPortFrom(got.Unmap(), uint16(mapped.Port))) //nolint:gosec
			return resp
		case <-deadline:
			return nil
		}
	}
}

// BindRetrying is Bind as an ICE agent does it over UDP: up to five checks a second apart.
func (p *Peer) BindRetrying(ufrag, password string) *stun.Message {
	p.tb.Helper()
	for range 5 {
		if resp := p.Bind(ufrag, password, true, time.Second); resp != nil {
			return resp
		}
	}
	return nil
}
