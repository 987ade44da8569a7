package webrtctransport

import (
	"fmt"

	"github.com/pion/dtls/v3"
	"github.com/pion/srtp/v3"
)

// replayWindow is the SRTP/SRTCP replay window for what we receive. srtp's
// contexts have replay protection off unless asked (RFC 3711 §3.3.2 wants
// it); 1024 packets, as mediasoup uses, tolerates video bursts reordered
// by the network.
const replayWindow = 1024

// srtpProfileFor maps the DTLS use_srtp profile (RFC 5764 §4.1.2, RFC 7714
// §14.2) to pion/srtp's; pion/webrtc's own mapping is unexported.
func srtpProfileFor(p dtls.SRTPProtectionProfile) (srtp.ProtectionProfile, error) {
	switch p {
	case dtls.SRTP_AEAD_AES_128_GCM:
		return srtp.ProtectionProfileAeadAes128Gcm, nil
	case dtls.SRTP_AEAD_AES_256_GCM:
		return srtp.ProtectionProfileAeadAes256Gcm, nil
	case dtls.SRTP_AES128_CM_HMAC_SHA1_80:
		return srtp.ProtectionProfileAes128CmHmacSha1_80, nil
	case dtls.SRTP_AES128_CM_HMAC_SHA1_32:
		return srtp.ProtectionProfileAes128CmHmacSha1_32, nil
	default:
		return 0, fmt.Errorf("%w: %#04x", errUnsupportedSRTPProfile, uint16(p))
	}
}

// startSRTP derives the SRTP contexts from the finished handshake (RFC 5764
// §4.2). isClient must be our real role: the exporter's output is
// client-key, server-key, client-salt, server-salt, and swapping them makes
// every decrypt fail.
func (t *Transport) startSRTP(conn *dtls.Conn, role dtlsRole) (srtp.ProtectionProfile, error) {
	negotiated, ok := conn.SelectedSRTPProtectionProfile()
	if !ok {
		return 0, errNoSRTPProfile
	}
	profile, err := srtpProfileFor(negotiated)
	if err != nil {
		return 0, err
	}
	state, ok := conn.ConnectionState()
	if !ok {
		return 0, errNoDTLSState
	}
	cfg := srtp.Config{Profile: profile}
	if err := cfg.ExtractSessionKeysFromDTLS(&state, role == roleClient); err != nil {
		return 0, fmt.Errorf("export keys: %w", err)
	}
	rx, err := srtp.CreateContext(cfg.Keys.RemoteMasterKey, cfg.Keys.RemoteMasterSalt, profile,
		srtp.SRTPReplayProtection(replayWindow), srtp.SRTCPReplayProtection(replayWindow))
	if err != nil {
		return 0, fmt.Errorf("receive context: %w", err)
	}
	tx, err := srtp.CreateContext(cfg.Keys.LocalMasterKey, cfg.Keys.LocalMasterSalt, profile)
	if err != nil {
		return 0, fmt.Errorf("send context: %w", err)
	}
	if !t.tx.start(tx) {
		return 0, ErrTransportClosed
	}
	t.rxSRTP.Store(rx)

	return profile, nil
}

// handleRTP decrypts an SRTP packet from a validated address and hands it
// to the handler (mux read goroutine). Decrypt first: only an authenticated
// packet may advance the rollover counter and replay window, or reach the
// router.
func (t *Transport) handleRTP(rx *rxState, pkt []byte) {
	ctx := t.rxSRTP.Load()
	if ctx == nil {
		t.stats.dropped.Add(1) // media before the handshake finished

		return
	}
	t.rxMu.Lock()
	defer t.rxMu.Unlock()
	plain, err := ctx.DecryptRTP(rx.plain, pkt, &rx.rtpHdr)
	if err != nil {
		t.stats.decryptFailures.Add(1)

		return
	}
	t.touch()
	t.stats.rtpIn.Add(1)
	if !t.isClosed.Load() {
		t.handler.OnRTP(plain, rx.arrival)
	}
}

// handleRTCP is handleRTP for SRTCP (RFC 3711 §3.4).
func (t *Transport) handleRTCP(rx *rxState, pkt []byte) {
	ctx := t.rxSRTP.Load()
	if ctx == nil {
		t.stats.dropped.Add(1)

		return
	}
	t.rxMu.Lock()
	defer t.rxMu.Unlock()
	plain, err := ctx.DecryptRTCP(rx.plain, pkt, &rx.rtcpHdr)
	if err != nil {
		t.stats.decryptFailures.Add(1)

		return
	}
	t.touch()
	t.stats.rtcpIn.Add(1)
	if !t.isClosed.Load() {
		t.handler.OnRTCP(plain)
	}
}
