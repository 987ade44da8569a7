package testpeer

import (
	"context"
	"crypto/sha1" //nolint:gosec // sha-1 fingerprints exist (RFC 8122); nothing here is secret
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"strings"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/pion/logging"
	"github.com/pion/srtp/v3"
)

// Fingerprint is a certificate fingerprint in SDP's form (RFC 8122): "sha-256", "AB:CD:...".
type Fingerprint struct {
	Algorithm string
	Value     string
}

// Fingerprint is the sha-256 fingerprint of the peer's certificate.
func (p *Peer) Fingerprint() Fingerprint {
	fp, err := fingerprintOf(p.cert.Certificate[0], "sha-256")
	if err != nil {
		p.tb.Fatal(err)
	}
	return fp
}

func fingerprintOf(der []byte, algorithm string) (Fingerprint, error) {
	var h hash.Hash
	switch strings.ToLower(algorithm) {
	case "sha-1":
		h = sha1.New() //nolint:gosec // see the import
	case "sha-224":
		h = sha256.New224()
	case "sha-256":
		h = sha256.New()
	case "sha-384":
		h = sha512.New384()
	case "sha-512":
		h = sha512.New()
	default:
		return Fingerprint{}, fmt.Errorf("peer: fingerprint algorithm %q", algorithm)
	}
	h.Write(der)
	sum := h.Sum(nil)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return Fingerprint{Algorithm: strings.ToLower(algorithm), Value: strings.Join(parts, ":")}, nil
}

// Handshake is how the peer does DTLS and SRTP.
type Handshake struct {
	AsClient bool        // the peer's role: client is mediasoup-client's usual one
	Server   Fingerprint // the transport's certificate, checked like a browser checks the SDP's
	// Profiles are the SRTP profiles offered, in order (default: what Chromium offers, AES-128-GCM first).
	Profiles []dtls.SRTPProtectionProfile
	// ReplayWindow, when not 0, turns SRTP and SRTCP replay protection on for what the peer receives.
	ReplayWindow uint
	// AppData, when set, reads the DTLS connection after the handshake instead of the peer (SCTP for data
	// channels); it runs on its own goroutine and must return once the connection is closed.
	AppData func(conn net.Conn)
}

// Handshake runs DTLS and derives the SRTP contexts; the peer keeps reading the association afterwards so that
// alerts (the server's close_notify) are seen.
func (p *Peer) Handshake(ctx context.Context, h Handshake) error {
	if len(h.Profiles) == 0 {
		h.Profiles = []dtls.SRTPProtectionProfile{dtls.SRTP_AEAD_AES_128_GCM, dtls.SRTP_AES128_CM_HMAC_SHA1_80}
	}
	verify := func(raw [][]byte, _ [][]*x509.Certificate) error {
		fp, err := fingerprintOf(raw[0], h.Server.Algorithm)
		if err != nil {
			return err
		}
		if !strings.EqualFold(fp.Value, h.Server.Value) {
			return errors.New("peer: server fingerprint mismatch")
		}
		return nil
	}
	quiet := logging.NewDefaultLoggerFactory()
	quiet.DefaultLogLevel = logging.LogLevelDisabled
	shared := []dtls.Option{
		dtls.WithCertificates(p.cert),
		dtls.WithInsecureSkipVerify(true),
		dtls.WithVerifyPeerCertificate(verify),
		dtls.WithSRTPProtectionProfiles(h.Profiles...),
		dtls.WithExtendedMasterSecret(dtls.RequireExtendedMasterSecret),
		dtls.WithLoggerFactory(quiet),
	}
	raddr := net.UDPAddrFromAddrPort(p.server)
	var (
		conn *dtls.Conn
		err  error
	)
	if h.AsClient {
		opts := make([]dtls.ClientOption, 0, len(shared))
		for _, o := range shared {
			opts = append(opts, o)
		}
		conn, err = dtls.ClientWithOptions(packetConn{p}, raddr, opts...)
	} else {
		opts := []dtls.ServerOption{dtls.WithClientAuth(dtls.RequireAnyClientCert)}
		for _, o := range shared {
			opts = append(opts, o)
		}
		conn, err = dtls.ServerWithOptions(packetConn{p}, raddr, opts...)
	}
	if err != nil {
		return err
	}
	p.dtls = conn
	if err := conn.HandshakeContext(ctx); err != nil {
		return err
	}
	if err := p.startSRTP(conn, h); err != nil {
		return err
	}
	p.readers.Add(1)
	if h.AppData != nil {
		go func() {
			defer p.readers.Done()
			h.AppData(conn)
			p.dtlsEOF <- io.EOF
		}()
		return nil
	}
	go func() {
		defer p.readers.Done()
		buf := make([]byte, 8192)
		for {
			if _, err := conn.Read(buf); err != nil {
				p.dtlsEOF <- err
				return
			}
		}
	}()
	return nil
}

func (p *Peer) startSRTP(conn *dtls.Conn, h Handshake) error {
	negotiated, ok := conn.SelectedSRTPProtectionProfile()
	if !ok {
		return errors.New("peer: no srtp profile")
	}
	var profile srtp.ProtectionProfile
	switch negotiated {
	case dtls.SRTP_AEAD_AES_128_GCM:
		profile = srtp.ProtectionProfileAeadAes128Gcm
	case dtls.SRTP_AEAD_AES_256_GCM:
		profile = srtp.ProtectionProfileAeadAes256Gcm
	case dtls.SRTP_AES128_CM_HMAC_SHA1_80:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_80
	case dtls.SRTP_AES128_CM_HMAC_SHA1_32:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_32
	default:
		return fmt.Errorf("peer: srtp profile %#04x", uint16(negotiated))
	}
	state, _ := conn.ConnectionState()
	cfg := srtp.Config{Profile: profile}
	if err := cfg.ExtractSessionKeysFromDTLS(&state, h.AsClient); err != nil {
		return err
	}
	tx, err := srtp.CreateContext(cfg.Keys.LocalMasterKey, cfg.Keys.LocalMasterSalt, profile)
	if err != nil {
		return err
	}
	var opts []srtp.ContextOption
	if h.ReplayWindow > 0 {
		opts = append(opts, srtp.SRTPReplayProtection(h.ReplayWindow), srtp.SRTCPReplayProtection(h.ReplayWindow))
	}
	rx, err := srtp.CreateContext(cfg.Keys.RemoteMasterKey, cfg.Keys.RemoteMasterSalt, profile, opts...)
	if err != nil {
		return err
	}
	p.txMu.Lock()
	p.tx = tx
	p.txMu.Unlock()
	p.rx.Store(rx)
	return nil
}

// packetConn is the peer's net.PacketConn for pion/dtls.
type packetConn struct{ p *Peer }

func (c packetConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, err := c.p.dtlsBuf.Read(b)
	return n, net.UDPAddrFromAddrPort(c.p.server), err
}

func (c packetConn) WriteTo(b []byte, _ net.Addr) (int, error) {
	return c.p.write(b)
}
func (c packetConn) Close() error                       { return c.p.dtlsBuf.Close() }
func (c packetConn) LocalAddr() net.Addr                { return net.UDPAddrFromAddrPort(c.p.Addr()) }
func (c packetConn) SetDeadline(t time.Time) error      { return c.p.dtlsBuf.SetReadDeadline(t) }
func (c packetConn) SetReadDeadline(t time.Time) error  { return c.p.dtlsBuf.SetReadDeadline(t) }
func (c packetConn) SetWriteDeadline(_ time.Time) error { return nil }
