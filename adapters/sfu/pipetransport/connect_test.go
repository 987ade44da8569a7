package pipetransport

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestConnectRejectsBadArguments(t *testing.T) {
	good := newTransport(t, true, newRecorder()).SrtpParameters()
	tests := []struct {
		name   string
		srtp   bool
		ip     string
		port   int
		remote *domain.SrtpParameters
	}{
		{name: "empty ip", ip: "", port: 5000},
		{name: "hostname", ip: "example.com", port: 5000},
		{name: "unspecified ipv4", ip: "0.0.0.0", port: 5000},
		{name: "multicast", ip: "224.0.0.1", port: 5000},
		{name: "broadcast", ip: "255.255.255.255", port: 5000},
		{name: "ipv6 remote on an ipv4 socket", ip: "::1", port: 5000},
		{name: "port 0", ip: "127.0.0.1", port: 0},
		{name: "negative port", ip: "127.0.0.1", port: -1},
		{name: "port 65536", ip: "127.0.0.1", port: 65536},
		{name: "srtp params without srtp", ip: "127.0.0.1", port: 5000, remote: good},
		{name: "srtp without params", srtp: true, ip: "127.0.0.1", port: 5000},
		{name: "unknown suite", srtp: true, ip: "127.0.0.1", port: 5000,
			remote: &domain.SrtpParameters{CryptoSuite: "NULL", KeyBase64: good.KeyBase64}},
		{name: "key not base64", srtp: true, ip: "127.0.0.1", port: 5000,
			remote: &domain.SrtpParameters{CryptoSuite: SuiteAEADAES128GCM, KeyBase64: "%%%"}},
		{name: "key of another suite's length", srtp: true, ip: "127.0.0.1", port: 5000,
			remote: &domain.SrtpParameters{CryptoSuite: SuiteAESCM128HMACSHA1_80, KeyBase64: good.KeyBase64}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTransport(t, tc.srtp, newRecorder())
			err := tr.Connect(context.Background(), tc.ip, tc.port, tc.remote)
			require.ErrorIs(t, err, domain.ErrInvalidInput)
			require.ErrorIs(t, tr.WriteRTP(rtpPacket(t, 1, 1, nil)), ErrNotConnected, "a failed Connect connects nothing")

			// A failed Connect may be retried with good arguments.
			var remote *domain.SrtpParameters
			if tc.srtp {
				remote = good
			}
			require.NoError(t, tr.Connect(context.Background(), "127.0.0.1", 5000, remote))
		})
	}
}

func TestConnectAcceptsAMediasoupAESCMKey(t *testing.T) {
	// 30 bytes (16 key + 14 salt), as mediasoup generates for AES_CM_128_HMAC_SHA1_80.
	remote := &domain.SrtpParameters{
		CryptoSuite: SuiteAESCM128HMACSHA1_80,
		KeyBase64:   "ZnQ3eWJraDg0d3ZoYzM5cXN1Y2pnaHU5NWxrZTVv",
	}
	tr := newTransport(t, true, newRecorder())
	require.NoError(t, tr.Connect(context.Background(), "127.0.0.1", 5000, remote))
}

func TestConnectTwiceIsAlreadyConnected(t *testing.T) {
	a, b, _, _ := pair(t, false)
	ip, port := b.LocalTuple()
	require.ErrorIs(t, a.Connect(context.Background(), ip, port, nil), domain.ErrAlreadyConnected)
	require.ErrorIs(t, a.Connect(context.Background(), "127.0.0.1", 6000, nil), domain.ErrAlreadyConnected)
}

func TestConnectHonoursContextAndClose(t *testing.T) {
	tr := newTransport(t, false, newRecorder())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, tr.Connect(ctx, "127.0.0.1", 5000, nil), context.Canceled)

	require.NoError(t, tr.Close())
	require.ErrorIs(t, tr.Connect(context.Background(), "127.0.0.1", 5000, nil), ErrClosed)
}
