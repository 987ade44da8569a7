package bootstrap

import (
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
