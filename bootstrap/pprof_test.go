package bootstrap

import (
	"fmt"
	"go.uber.org/fx/fxtest"
	"go.uber.org/zap"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestPprofAddrMustBeLoopback(t *testing.T) {
	cases := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:6060", true},
		{"localhost:6060", true},
		{"[::1]:6060", true},
		{"0.0.0.0:6060", false},
		{":6060", false},
		{"10.0.0.5:6060", false},
		{"example.com:6060", false},
		{"127.0.0.1", false},
	}
	for _, c := range cases {
		t.Run(c.addr, func(t *testing.T) {
			err := requireLoopback(c.addr)
			if c.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, domain.ErrInvalidInput)
		})
	}
}

func TestMasterRefusesPublicPprof(t *testing.T) {
	t.Setenv(PprofAddrEnv, "0.0.0.0:0")
	app := fx.New(Master(testConfig(t, 0)), fx.NopLogger)
	require.ErrorContains(t, app.Err(), PprofAddrEnv)
}

// TestPprofOncePerProcess: cmd/cluster starts three apps in one process; the first serves the profiles and the
// others neither fail nor try to listen again, and the listener goes with the app that opened it.
func TestPprofOncePerProcess(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	t.Setenv(PprofAddrEnv, addr)
	first, second := fxtest.NewLifecycle(t), fxtest.NewLifecycle(t)
	require.NoError(t, servePprof(first, zap.NewNop()))
	require.NoError(t, servePprof(second, zap.NewNop()))
	first.RequireStart()
	second.RequireStart()
	resp, err := http.Get("http://" + addr + "/debug/pprof/cmdline")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	second.RequireStop()
	first.RequireStop()
	_, err = http.Get("http://" + addr + "/debug/pprof/cmdline")
	require.Error(t, err)
	require.False(t, pprofClaimed.Load())
}
