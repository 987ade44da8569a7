package pipetransport

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestNewRejectsBadConfig(t *testing.T) {
	h := newRecorder()
	tests := []struct {
		name string
		cfg  Config
	}{
		{name: "no handler", cfg: Config{ListenIP: "127.0.0.1"}},
		{name: "no listen ip", cfg: Config{Handler: h}},
		{name: "listen ip not an ip", cfg: Config{ListenIP: "localhost", Handler: h}},
		{name: "unspecified without announced ip", cfg: Config{ListenIP: "0.0.0.0", Handler: h}},
		{name: "announced ip not an ip", cfg: Config{ListenIP: "127.0.0.1", AnnouncedIP: "nat", Handler: h}},
		{name: "announced ip unspecified", cfg: Config{ListenIP: "127.0.0.1", AnnouncedIP: "0.0.0.0", Handler: h}},
		{name: "port range inverted", cfg: Config{ListenIP: "127.0.0.1", PortMin: 5001, PortMax: 5000, Handler: h}},
		{name: "port range half open", cfg: Config{ListenIP: "127.0.0.1", PortMin: 0, PortMax: 5000, Handler: h}},
		{name: "port range too high", cfg: Config{ListenIP: "127.0.0.1", PortMin: 5000, PortMax: 70000, Handler: h}},
		{name: "negative socket buffer", cfg: Config{ListenIP: "127.0.0.1", SocketBufferSize: -1, Handler: h}},
		{name: "negative idle timeout", cfg: Config{ListenIP: "127.0.0.1", IdleTimeout: -time.Second, Handler: h}},
		{name: "unknown suite", cfg: Config{ListenIP: "127.0.0.1", SRTP: true, SRTPCryptoSuite: "ROT13", Handler: h}},
		{name: "suite without srtp", cfg: Config{ListenIP: "127.0.0.1", SRTPCryptoSuite: SuiteAEADAES128GCM, Handler: h}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := New(tc.cfg)
			require.ErrorIs(t, err, domain.ErrInvalidInput)
			require.Nil(t, tr)
		})
	}
}

func TestLocalTuple(t *testing.T) {
	t.Run("listen ip and a kernel port", func(t *testing.T) {
		ip, port := newTransport(t, false, newRecorder()).LocalTuple()
		require.Equal(t, "127.0.0.1", ip)
		require.Positive(t, port)
	})
	t.Run("announced ip over an unspecified listen ip", func(t *testing.T) {
		tr := newTransport(t, false, newRecorder(), func(c *Config) { c.ListenIP, c.AnnouncedIP = "0.0.0.0", "203.0.113.7" })
		ip, port := tr.LocalTuple()
		require.Equal(t, "203.0.113.7", ip)
		require.Positive(t, port)
	})
	t.Run("port within the range", func(t *testing.T) {
		probe := newTransport(t, false, newRecorder())
		_, free := probe.LocalTuple()
		require.NoError(t, probe.Close()) // free is very likely still free: the kernel does not reuse it at once
		tr := newTransport(t, false, newRecorder(), func(c *Config) { c.PortMin, c.PortMax = free, free })
		_, port := tr.LocalTuple()
		require.Equal(t, free, port)

		_, err := New(Config{ListenIP: "127.0.0.1", PortMin: free, PortMax: free, Handler: newRecorder()})
		require.ErrorIs(t, err, ErrNoFreePort, "the only port of the range is taken")
	})
}

func TestSrtpParameters(t *testing.T) {
	require.Nil(t, newTransport(t, false, newRecorder()).SrtpParameters(), "no SRTP, no parameters")

	tests := []struct {
		suite   string
		wantLen int
	}{
		{suite: "", wantLen: 16 + 12},
		{suite: SuiteAEADAES128GCM, wantLen: 16 + 12},
		{suite: SuiteAEADAES256GCM, wantLen: 32 + 12},
		{suite: SuiteAESCM128HMACSHA1_80, wantLen: 16 + 14},
	}
	for _, tc := range tests {
		t.Run(tc.suite, func(t *testing.T) {
			edit := func(c *Config) { c.SRTPCryptoSuite = tc.suite }
			p := newTransport(t, true, newRecorder(), edit).SrtpParameters()
			require.NotNil(t, p)
			want := tc.suite
			if want == "" {
				want = SuiteAEADAES128GCM
			}
			require.Equal(t, want, p.CryptoSuite)
			key, err := base64.StdEncoding.DecodeString(p.KeyBase64)
			require.NoError(t, err)
			require.Len(t, key, tc.wantLen)

			other := newTransport(t, true, newRecorder(), edit).SrtpParameters()
			require.NotEqual(t, p.KeyBase64, other.KeyBase64, "every transport draws its own key")
		})
	}
}
