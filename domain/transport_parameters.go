package domain

import (
	"fmt"
	"regexp"
)

// IceParameters of an ICE-lite server transport.
type IceParameters struct {
	UsernameFragment string `json:"usernameFragment"`
	Password         string `json:"password"`
	IceLite          bool   `json:"iceLite"`
}

// IceCandidate as mediasoup's WebRtcTransport.iceCandidates (address and ip both carry the IP for old clients).
type IceCandidate struct {
	Foundation string `json:"foundation"`
	Priority   uint32 `json:"priority"`
	Address    string `json:"address"`
	IP         string `json:"ip"`
	Protocol   string `json:"protocol"`
	Port       int    `json:"port"`
	Type       string `json:"type"`
	TCPType    string `json:"tcpType,omitempty"`
}

// DtlsFingerprint is one certificate fingerprint.
type DtlsFingerprint struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

// DtlsRole is a DTLS role in mediasoup's spelling.
type DtlsRole string

const (
	DtlsRoleAuto   DtlsRole = "auto"
	DtlsRoleClient DtlsRole = "client"
	DtlsRoleServer DtlsRole = "server"
)

// DtlsParameters of either side of a transport.
type DtlsParameters struct {
	Role         DtlsRole          `json:"role,omitempty"`
	Fingerprints []DtlsFingerprint `json:"fingerprints"`
}

var fingerprintRe = regexp.MustCompile(`^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$`)

// Validate rejects an unknown role, no fingerprints, an unknown algorithm or a malformed value.
func (d DtlsParameters) Validate() error {
	switch d.Role {
	case "", DtlsRoleAuto, DtlsRoleClient, DtlsRoleServer:
	default:
		return fmt.Errorf("%w: dtlsParameters.role must be auto, client or server, got %q", ErrInvalidInput, d.Role)
	}
	if len(d.Fingerprints) == 0 {
		return fmt.Errorf("%w: dtlsParameters.fingerprints must not be empty", ErrInvalidInput)
	}
	for i, f := range d.Fingerprints {
		switch f.Algorithm {
		case "sha-1", "sha-224", "sha-256", "sha-384", "sha-512":
		default:
			return fmt.Errorf("%w: dtlsParameters.fingerprints[%d].algorithm %q is unknown", ErrInvalidInput, i, f.Algorithm)
		}
		if !fingerprintRe.MatchString(f.Value) {
			return fmt.Errorf("%w: dtlsParameters.fingerprints[%d].value is not a hex fingerprint", ErrInvalidInput, i)
		}
	}
	return nil
}

// SrtpParameters protect a pipe transport (mediasoup's PipeTransport srtpParameters).
type SrtpParameters struct {
	CryptoSuite string `json:"cryptoSuite"`
	KeyBase64   string `json:"keyBase64"`
}

// TransportInfo is what a client needs to reach a WebRTC transport (the answer of producer/consumer peer creation).
type TransportInfo struct {
	ID             string         `json:"id"`
	IceParameters  IceParameters  `json:"iceParameters"`
	IceCandidates  []IceCandidate `json:"iceCandidates"`
	DtlsParameters DtlsParameters `json:"dtlsParameters"`
	// SctpParameters is set when the transport runs SCTP (data channels): the peer was created with
	// sctpCapabilities.
	SctpParameters *SctpParameters `json:"sctpParameters,omitempty"`
}
