package bootstrap

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestSlaveGraphIsValid(t *testing.T) {
	for _, role := range []domain.SlaveRole{domain.SlaveRoleProducer, domain.SlaveRoleConsumer} {
		cfg := testConfig(t, 0)
		cfg.Role = role
		require.NoError(t, fx.ValidateApp(Slave(cfg)), role)
	}
}

func TestSlaveRefusesAPublicAddressWithoutASecret(t *testing.T) {
	cfg := testConfig(t, 0)
	cfg.Role = domain.SlaveRoleProducer
	cfg.ListenHost = "0.0.0.0"
	cfg.ClusterSecret = ""
	app := fx.New(Slave(cfg), fx.NopLogger)
	require.ErrorContains(t, app.Err(), "CLUSTER_SECRET")
}

func TestSlaveConfigNeedsARole(t *testing.T) {
	t.Setenv("SLAVE_ROLE", "")
	_, err := LoadSlaveConfig("")
	require.Error(t, err)
	t.Setenv("SLAVE_ROLE", "consumer")
	cfg, err := LoadSlaveConfig("")
	require.NoError(t, err)
	require.Equal(t, ConsumerSlavePort, cfg.Port)
}
