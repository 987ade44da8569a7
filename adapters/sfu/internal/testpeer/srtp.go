package testpeer

import (
	"errors"
	"fmt"
	"time"

	"github.com/stretchr/testify/require"
)

// EncryptRTP protects a plaintext RTP packet with the peer's keys (on the test's goroutine: it fails the test).
func (p *Peer) EncryptRTP(plain []byte) []byte {
	out, err := p.encrypt(plain, false)
	require.NoError(p.tb, err)
	return out
}

// EncryptRTCP protects a plaintext RTCP compound packet with the peer's keys (on the test's goroutine).
func (p *Peer) EncryptRTCP(plain []byte) []byte {
	out, err := p.encrypt(plain, true)
	require.NoError(p.tb, err)
	return out
}

// SendRTP encrypts and sends; a failure is reported with Errorf, so it may run on any goroutine.
func (p *Peer) SendRTP(plain []byte) { p.send(plain, false) }

// SendRTCP is SendRTP for an RTCP compound packet.
func (p *Peer) SendRTCP(plain []byte) { p.send(plain, true) }

func (p *Peer) send(plain []byte, rtcp bool) {
	out, err := p.encrypt(plain, rtcp)
	if err == nil {
		_, err = p.write(out)
	}
	if err != nil {
		p.tb.Errorf("peer: send: %v", err)
	}
}

func (p *Peer) encrypt(plain []byte, rtcp bool) ([]byte, error) {
	p.txMu.Lock()
	defer p.txMu.Unlock()
	switch {
	case p.tx == nil:
		return nil, errors.New("peer: no srtp before the handshake")
	case rtcp:
		return p.tx.EncryptRTCP(nil, plain, nil)
	default:
		return p.tx.EncryptRTP(nil, plain, nil)
	}
}

// Decrypt unprotects a received SRTP or SRTCP datagram (RFC 5761: RTCP by its second byte).
func (p *Peer) Decrypt(raw []byte) (plain []byte, isRTCP bool, err error) {
	rx := p.rx.Load()
	if rx == nil {
		return nil, false, errors.New("peer: no srtp before the handshake")
	}
	if len(raw) > 1 && raw[1] >= 192 && raw[1] <= 223 {
		plain, err = rx.DecryptRTCP(nil, raw, nil)
		return plain, true, err
	}
	plain, err = rx.DecryptRTP(nil, raw, nil)
	return plain, false, err
}

// RecvMedia decrypts the next SRTP or SRTCP datagram from the server.
func (p *Peer) RecvMedia(wait time.Duration) (plain []byte, isRTCP bool, err error) {
	select {
	case raw := <-p.mediaIn:
		return p.Decrypt(raw)
	case <-time.After(wait):
		return nil, false, fmt.Errorf("peer: no media within %s", wait)
	}
}
