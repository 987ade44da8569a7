package domain

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// ICE's grammar (RFC 8839 §5.4, RFC 8445 §5.3): ice-char is ALPHA / DIGIT / "+" / "/".
var (
	iceUfragRe      = regexp.MustCompile(`^[A-Za-z0-9+/]{4,256}$`)
	icePwdRe        = regexp.MustCompile(`^[A-Za-z0-9+/]{22,256}$`)
	iceFoundationRe = regexp.MustCompile(`^[A-Za-z0-9+/]{1,32}$`)
)

// Validate rejects ICE credentials a browser would refuse in an SDP: a ufrag of under 4 or a password of under 22
// ice-chars, or any other character.
func (p IceParameters) Validate() error {
	if !iceUfragRe.MatchString(p.UsernameFragment) {
		return fmt.Errorf("%w: iceParameters.usernameFragment must be 4 to 256 ICE characters", ErrInvalidInput)
	}
	if !icePwdRe.MatchString(p.Password) {
		return fmt.Errorf("%w: iceParameters.password must be 22 to 256 ICE characters", ErrInvalidInput)
	}
	return nil
}

// Validate rejects a candidate mediasoup would never announce: a bad foundation, zero priority, an address that is
// not an IP (mediasoup's ip and the older address must agree when both are set), a protocol other than udp or tcp,
// a port out of range, an unknown type, or a tcpType on a UDP candidate.
func (c IceCandidate) Validate() error {
	if !iceFoundationRe.MatchString(c.Foundation) {
		return fmt.Errorf("%w: iceCandidate.foundation must be 1 to 32 ICE characters", ErrInvalidInput)
	}
	if c.Priority == 0 {
		return fmt.Errorf("%w: iceCandidate.priority must be positive", ErrInvalidInput)
	}
	ip := c.IP
	if ip == "" {
		ip = c.Address
	}
	if _, err := netip.ParseAddr(ip); err != nil {
		return fmt.Errorf("%w: iceCandidate.ip %q is not an IP address", ErrInvalidInput, ip)
	}
	if c.Address != "" && c.Address != ip {
		return fmt.Errorf("%w: iceCandidate.address %q and ip %q differ", ErrInvalidInput, c.Address, c.IP)
	}
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("%w: iceCandidate.port %d is out of range", ErrInvalidInput, c.Port)
	}
	switch c.Type {
	case "host", "srflx", "prflx", "relay":
	default:
		return fmt.Errorf("%w: iceCandidate.type %q is unknown", ErrInvalidInput, c.Type)
	}
	switch strings.ToLower(c.Protocol) { // SDP's transport is case-insensitive
	case "udp":
		if c.TCPType != "" {
			return fmt.Errorf("%w: iceCandidate.tcpType is only for tcp candidates", ErrInvalidInput)
		}
	case "tcp":
		switch c.TCPType {
		case "passive", "active", "so":
		default:
			return fmt.Errorf("%w: iceCandidate.tcpType %q must be passive, active or so", ErrInvalidInput, c.TCPType)
		}
	default:
		return fmt.Errorf("%w: iceCandidate.protocol must be udp or tcp, got %q", ErrInvalidInput, c.Protocol)
	}
	return nil
}

// Validate checks what a client needs to reach a transport: an id, ICE credentials, at least one candidate and
// DTLS fingerprints.
func (t TransportInfo) Validate() error {
	if t.ID == "" {
		return fmt.Errorf("%w: transport id is empty", ErrInvalidInput)
	}
	if err := t.IceParameters.Validate(); err != nil {
		return err
	}
	if len(t.IceCandidates) == 0 {
		return fmt.Errorf("%w: transport %q has no ICE candidates", ErrInvalidInput, t.ID)
	}
	for i, c := range t.IceCandidates {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("iceCandidates[%d]: %w", i, err)
		}
	}
	return t.DtlsParameters.Validate()
}
