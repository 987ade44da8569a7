package webrtctransport

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // sha-1 fingerprints are still valid in SDP (RFC 8122 §5); only used to compare.
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"hash"
	"math/big"
	"strings"
	"time"
)

// certificateLifetime: browsers do not check a WebRTC certificate's validity
// (its fingerprint is what authenticates it, RFC 8827 §6.5), but a sane
// window keeps strict peers happy for the lifetime of a slave process.
const certificateLifetime = 365 * 24 * time.Hour

// newCertificate makes the self-signed ECDSA P-256 certificate every transport
// of a Mux presents; ECDSA because every browser supports it and it is fast.
func newCertificate() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "sfu-cluster"},
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.Add(certificateLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("create certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("parse certificate: %w", err)
	}

	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// fingerprintHash maps the hash names of RFC 8122 §5 to Go hashes.
func fingerprintHash(algorithm string) (func() hash.Hash, bool) {
	switch strings.ToLower(algorithm) {
	case "sha-1":
		return sha1.New, true
	case "sha-224":
		return sha256.New224, true
	case "sha-256":
		return sha256.New, true
	case "sha-384":
		return sha512.New384, true
	case "sha-512":
		return sha512.New, true
	default:
		return nil, false
	}
}

// fingerprintOf formats a certificate's fingerprint the way SDP and
// mediasoup do: upper-case hex pairs joined by colons.
func fingerprintOf(der []byte, algorithm string) (Fingerprint, error) {
	newHash, ok := fingerprintHash(algorithm)
	if !ok {
		return Fingerprint{}, fmt.Errorf("%w: algorithm %q", ErrInvalidFingerprint, algorithm)
	}
	h := newHash()
	h.Write(der)
	sum := h.Sum(nil)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}

	return Fingerprint{Algorithm: strings.ToLower(algorithm), Value: strings.Join(parts, ":")}, nil
}

// parsedFingerprint is a remote fingerprint ready to compare.
type parsedFingerprint struct {
	newHash func() hash.Hash
	sum     []byte
}

// parseFingerprints validates Connect's fingerprints: every one must use a
// known algorithm and be colon-separated hex of that hash's length.
func parseFingerprints(fps []Fingerprint) ([]parsedFingerprint, error) {
	if len(fps) == 0 {
		return nil, fmt.Errorf("%w: no fingerprints", ErrInvalidFingerprint)
	}
	out := make([]parsedFingerprint, 0, len(fps))
	for _, fp := range fps {
		newHash, ok := fingerprintHash(fp.Algorithm)
		if !ok {
			return nil, fmt.Errorf("%w: algorithm %q", ErrInvalidFingerprint, fp.Algorithm)
		}
		sum, err := hex.DecodeString(strings.ReplaceAll(fp.Value, ":", ""))
		if err != nil || len(sum) != newHash().Size() {
			return nil, fmt.Errorf("%w: %s value %q", ErrInvalidFingerprint, fp.Algorithm, fp.Value)
		}
		out = append(out, parsedFingerprint{newHash: newHash, sum: sum})
	}

	return out, nil
}

// verifyFingerprint is the DTLS VerifyPeerCertificate callback: with
// self-signed certificates there is no chain to verify, the fingerprint
// exchanged out of band is the authentication (RFC 8842 §5.1).
func verifyFingerprint(fps []parsedFingerprint) func([][]byte, [][]*x509.Certificate) error {
	return func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
		if len(rawCerts) == 0 {
			return fmt.Errorf("%w: no certificate", ErrFingerprintMismatch)
		}
		for _, fp := range fps {
			h := fp.newHash()
			h.Write(rawCerts[0])
			if subtle.ConstantTimeCompare(h.Sum(nil), fp.sum) == 1 {
				return nil
			}
		}

		return ErrFingerprintMismatch
	}
}
