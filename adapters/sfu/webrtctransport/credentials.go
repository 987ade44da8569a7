package webrtctransport

import (
	"crypto/rand"
	"fmt"

	"github.com/pion/stun/v3"
)

// ICE credential lengths. RFC 8445 §5.3 asks for at least 24 bits of
// randomness in the ufrag and 128 in the password; 16 and 32 characters of
// a 36-symbol alphabet give ~82 and ~165 bits, as mediasoup does.
const (
	ufragLength    = 16
	passwordLength = 32
)

// iceAlphabet is a subset of ice-char (RFC 8839 §5.4) with no "+" or "/",
// so credentials are safe in JSON, SDP and URLs alike.
const iceAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomString draws n symbols of iceAlphabet from crypto/rand, rejecting
// bytes past the largest multiple of the alphabet size so every symbol is
// equally likely.
func randomString(n int) (string, error) {
	const limit = 256 - 256%len(iceAlphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("random: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, iceAlphabet[int(b)%len(iceAlphabet)])
			}
		}
	}

	return string(out), nil
}

// Candidate priorities are mediasoup's (RFC 8445 §5.1.2.1's formula with
// its choices): type preference 64, local preference 10000 (+1000 for the
// preferred protocol: UDP, as the original cluster's preferUdp), component 1
// (RTP and RTCP are muxed, RFC 5761). A browser that can reach both checks
// and nominates UDP first; TCP is the fallback where UDP is blocked.
// Each further listen address (MuxConfig.Listen) takes 100 off the local
// preference, as mediasoup does for each further listen IP.
const (
	udpLocalPreference = 10000 + 1000
	tcpLocalPreference = 10000
)

func candidatePriority(localPreference, listenIndex int) uint32 {
	return uint32(64)<<24 | uint32(localPreference-100*listenIndex)<<8 | uint32(256-1) //nolint:gosec // listen addresses are few
}

// Candidate foundations are mediasoup's: the same for every transport of a
// Mux, they only have to differ between candidates of different type, base
// or protocol (RFC 8445 §5.1.1.3).
const (
	udpCandidateFoundation = "udpcandidate"
	tcpCandidateFoundation = "tcpcandidate"
)

// iceCreds are one generation of local ICE credentials (a restart makes new
// ones). Immutable: the read path loads them through an atomic pointer.
type iceCreds struct {
	ufrag     string
	password  string
	integrity stun.MessageIntegrity
}

// newICECreds draws a fresh ufrag and password.
func newICECreds() (*iceCreds, error) {
	ufrag, err := randomString(ufragLength)
	if err != nil {
		return nil, fmt.Errorf("webrtctransport: ice ufrag: %w", err)
	}
	password, err := randomString(passwordLength)
	if err != nil {
		return nil, fmt.Errorf("webrtctransport: ice password: %w", err)
	}
	return &iceCreds{ufrag: ufrag, password: password, integrity: stun.NewShortTermIntegrity(password)}, nil
}
