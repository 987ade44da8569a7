package bootstrap

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestClusterSecretRules(t *testing.T) {
	long := strings.Repeat("k", MinClusterSecretLen)
	for name, tc := range map[string]struct {
		host, secret string
		ok           bool
	}{
		"none on loopback":             {"127.0.0.1", "", true},
		"none on localhost":            {"localhost", "", true},
		"none on ::1":                  {"::1", "", true},
		"none on a wildcard":           {"0.0.0.0", "", false},
		"none on a private ip":         {"10.0.0.5", "", false},
		"none on a host name":          {"master.internal", "", false},
		".env.example placeholder":     {"0.0.0.0", "change-me-to-a-long-random-string", false},
		"placeholder even on loopback": {"127.0.0.1", "change-me-to-a-long-random-string", false},
		"short":                        {"0.0.0.0", long[1:], false},
		"short on loopback":            {"127.0.0.1", "s3cret", false},
		"long enough":                  {"0.0.0.0", long, true},
	} {
		for _, who := range []string{"master", "slave"} {
			t.Run(who+"/"+name, func(t *testing.T) {
				cfg := testConfig(t, 0)
				cfg.ListenHost, cfg.ClusterSecret = tc.host, tc.secret
				err := checkClusterSecret(cfg, who)
				if tc.ok {
					require.NoError(t, err)
					return
				}
				require.ErrorContains(t, err, "CLUSTER_SECRET")
				if tc.secret != "" {
					require.NotContains(t, err.Error(), long[:8], "the error must not echo a real secret")
				}
			})
		}
	}
}

// The whole graphs refuse to build: the master before it opens its store, the slave before it opens its sockets.
func TestMasterAndSlaveRefuseWeakSecrets(t *testing.T) {
	for name, tc := range map[string]struct{ host, secret string }{
		"master without a secret off loopback": {"0.0.0.0", ""},
		"placeholder":                          {"0.0.0.0", "change-me-to-a-long-random-string"},
		"short":                                {"127.0.0.1", "short-secret"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(t, 0)
			cfg.ListenHost, cfg.ClusterSecret = tc.host, tc.secret
			// A database URL that cannot be opened: had the master got past the secret check, the error would name it.
			cfg.DatabaseURL = "mysql://nowhere"
			require.ErrorContains(t, fx.New(Master(cfg), fx.NopLogger).Err(), "CLUSTER_SECRET")
			cfg.Role = domain.SlaveRoleProducer
			require.ErrorContains(t, fx.New(Slave(cfg), fx.NopLogger).Err(), "CLUSTER_SECRET")
		})
	}
}

func TestDevClusterRandomSecretIsAccepted(t *testing.T) {
	secret, err := randomSecret()
	require.NoError(t, err)
	cfg := testConfig(t, 0)
	cfg.ListenHost, cfg.ClusterSecret = "0.0.0.0", secret
	require.NoError(t, checkClusterSecret(cfg, "master"))
}

func TestDevClusterRefusesThePlaceholder(t *testing.T) {
	base := testConfig(t, 0)
	base.ClusterSecret = "change-me-to-a-long-random-string"
	_, err := StartDevCluster(context.Background(), DevClusterConfig{Base: base})
	require.ErrorContains(t, err, "CLUSTER_SECRET")
}
