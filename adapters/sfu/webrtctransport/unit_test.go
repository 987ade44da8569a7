package webrtctransport

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/pion/dtls/v3"
	"github.com/pion/srtp/v3"
	"github.com/stretchr/testify/require"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		pkt  []byte
		want packetKind
	}{
		{"empty", nil, kindUnknown},
		{"stun 0", []byte{0, 1}, kindSTUN},
		{"stun 3", []byte{3}, kindSTUN},
		{"zrtp 16", []byte{16}, kindUnknown},
		{"dtls 20", []byte{20}, kindDTLS},
		{"dtls handshake 22", []byte{22, 0xfe}, kindDTLS},
		{"dtls 63", []byte{63}, kindDTLS},
		{"turn channel 64", []byte{64, 0}, kindUnknown},
		{"rtp pt 111", []byte{0x80, 111}, kindRTP},
		{"rtp marker pt 96", []byte{0x80, 0x80 | 96}, kindRTP},
		{"rtcp sr 200", []byte{0x80, 200}, kindRTCP},
		{"rtcp 192 lower bound", []byte{0x80, 192}, kindRTCP},
		{"rtcp 223 upper bound", []byte{0x81, 223}, kindRTCP},
		{"rtp 224", []byte{0x80, 224}, kindRTP},
		{"rtp one byte", []byte{0x80}, kindUnknown},
		{"191 still rtp range", []byte{191, 0}, kindRTP},
		{"192 first byte", []byte{192, 0}, kindUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, classify(tc.pkt))
		})
	}
}

func TestLocalRoleFor(t *testing.T) {
	tests := []struct {
		remote  string
		want    dtlsRole
		wantErr error
	}{
		{"client", roleServer, nil},
		{"server", roleClient, nil},
		{"auto", roleClient, nil},
		{"", roleUnknown, ErrInvalidRole},
		{"Client", roleUnknown, ErrInvalidRole},
	}
	for _, tc := range tests {
		t.Run(tc.remote, func(t *testing.T) {
			got, err := localRoleFor(tc.remote)
			require.ErrorIs(t, err, tc.wantErr)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestFingerprints(t *testing.T) {
	cert, err := newCertificate()
	require.NoError(t, err)
	der := cert.Certificate[0]
	fp, err := fingerprintOf(der, "sha-256")
	require.NoError(t, err)
	require.Equal(t, "sha-256", fp.Algorithm)
	require.Regexp(t, regexp.MustCompile(`^([0-9A-F]{2}:){31}[0-9A-F]{2}$`), fp.Value)

	t.Run("every algorithm verifies its own certificate", func(t *testing.T) {
		for _, alg := range []string{"sha-1", "sha-224", "sha-256", "sha-384", "SHA-512"} {
			fp, err := fingerprintOf(der, alg)
			require.NoError(t, err)
			parsed, err := parseFingerprints([]Fingerprint{fp})
			require.NoError(t, err)
			require.NoError(t, verifyFingerprint(parsed)([][]byte{der}, nil), alg)
		}
	})
	t.Run("lower-case value is accepted", func(t *testing.T) {
		parsed, err := parseFingerprints([]Fingerprint{{Algorithm: "sha-256", Value: strings.ToLower(fp.Value)}})
		require.NoError(t, err)
		require.NoError(t, verifyFingerprint(parsed)([][]byte{der}, nil))
	})
	t.Run("any matching fingerprint is enough", func(t *testing.T) {
		other, err := newCertificate()
		require.NoError(t, err)
		otherFP, err := fingerprintOf(other.Certificate[0], "sha-256")
		require.NoError(t, err)
		parsed, err := parseFingerprints([]Fingerprint{otherFP, fp})
		require.NoError(t, err)
		require.NoError(t, verifyFingerprint(parsed)([][]byte{der}, nil))
		parsed, err = parseFingerprints([]Fingerprint{otherFP})
		require.NoError(t, err)
		require.ErrorIs(t, verifyFingerprint(parsed)([][]byte{der}, nil), ErrFingerprintMismatch)
		require.ErrorIs(t, verifyFingerprint(parsed)(nil, nil), ErrFingerprintMismatch)
	})
	t.Run("invalid", func(t *testing.T) {
		for _, bad := range [][]Fingerprint{
			nil,
			{{Algorithm: "md5", Value: "AA"}},
			{{Algorithm: "sha-256", Value: "ZZ"}},
			{{Algorithm: "sha-256", Value: "AB:CD"}}, // wrong length
		} {
			_, err := parseFingerprints(bad)
			require.ErrorIs(t, err, ErrInvalidFingerprint)
		}
	})
}

func TestSRTPProfileFor(t *testing.T) {
	tests := []struct {
		dtls dtls.SRTPProtectionProfile
		want srtp.ProtectionProfile
	}{
		{dtls.SRTP_AEAD_AES_128_GCM, srtp.ProtectionProfileAeadAes128Gcm},
		{dtls.SRTP_AEAD_AES_256_GCM, srtp.ProtectionProfileAeadAes256Gcm},
		{dtls.SRTP_AES128_CM_HMAC_SHA1_80, srtp.ProtectionProfileAes128CmHmacSha1_80},
		{dtls.SRTP_AES128_CM_HMAC_SHA1_32, srtp.ProtectionProfileAes128CmHmacSha1_32},
	}
	for _, tc := range tests {
		got, err := srtpProfileFor(tc.dtls)
		require.NoError(t, err)
		require.Equal(t, tc.want, got)
	}
	_, err := srtpProfileFor(dtls.SRTP_NULL_HMAC_SHA1_80)
	require.Error(t, err)
}

func TestNewMuxConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     MuxConfig
		wantErr error
		wantIP  string
	}{
		{"loopback", MuxConfig{ListenIP: "127.0.0.1"}, nil, "127.0.0.1"},
		{"announced", MuxConfig{ListenIP: "127.0.0.1", AnnouncedIP: "203.0.113.7"}, nil, "203.0.113.7"},
		{"any with announced", MuxConfig{ListenIP: "0.0.0.0", AnnouncedIP: "203.0.113.7"}, nil, "203.0.113.7"},
		{"any without announced", MuxConfig{ListenIP: "0.0.0.0"}, ErrInvalidConfig, ""},
		{"missing listen ip", MuxConfig{}, ErrInvalidConfig, ""},
		{"bad listen ip", MuxConfig{ListenIP: "localhost"}, ErrInvalidConfig, ""},
		{"bad port", MuxConfig{ListenIP: "127.0.0.1", Port: 70000}, ErrInvalidConfig, ""},
		{"tcp off", MuxConfig{ListenIP: "127.0.0.1", TCPPort: TCPDisabled}, nil, "127.0.0.1"},
		{"bad tcp port", MuxConfig{ListenIP: "127.0.0.1", TCPPort: 70000}, ErrInvalidConfig, ""},
		{"bad tcp port below off", MuxConfig{ListenIP: "127.0.0.1", TCPPort: -2}, ErrInvalidConfig, ""},
		{"bad tcp queue", MuxConfig{ListenIP: "127.0.0.1", TCPSendQueue: -1}, ErrInvalidConfig, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewMux(tc.cfg)
			require.ErrorIs(t, err, tc.wantErr)
			if err != nil {
				return
			}
			defer func() { require.NoError(t, m.Close()) }()
			tr, err := m.NewTransport(Params{ID: "x"})
			require.NoError(t, err)
			want := []Candidate{{
				Foundation: "udpcandidate", Priority: 1076558079, IP: tc.wantIP,
				Port: m.LocalAddr().Port, Protocol: "udp", Type: "host",
			}}
			if tc.cfg.TCPPort == TCPDisabled {
				require.Nil(t, m.TCPAddr())
			} else {
				// mediasoup's priorities: UDP preferred.
				want = append(want, Candidate{Foundation: "tcpcandidate", Priority: 1076302079, IP: tc.wantIP,
					Port: m.TCPAddr().Port, Protocol: "tcp", Type: "host", TCPType: "passive"})
			}
			require.Equal(t, want, tr.Candidates())
			require.NotZero(t, m.LocalAddr().Port)
		})
	}
}

func TestTransportParameters(t *testing.T) {
	m := newTestMux(t)
	seen := map[string]bool{}
	for range 20 {
		tr, err := m.NewTransport(Params{ID: "x"})
		require.NoError(t, err)
		ufrag, pwd := tr.ICEParameters()
		require.Regexp(t, `^[a-z0-9]{16}$`, ufrag)
		require.Regexp(t, `^[a-z0-9]{32}$`, pwd)
		require.False(t, seen[ufrag], "ufrag reused")
		seen[ufrag] = true
		require.Equal(t, m.fingerprints, tr.Fingerprints())
		require.Equal(t, netip.AddrPort{}, tr.Stats().SelectedAddress)
		require.NoError(t, tr.Close())
	}
}
