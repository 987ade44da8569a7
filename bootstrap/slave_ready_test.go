package bootstrap

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestSlaveReadiness(t *testing.T) {
	ctx := context.Background()
	r := &registration{interval: time.Second}
	require.ErrorIs(t, r.Ready(ctx), domain.ErrUnavailable, "not registered yet")
	require.ErrorContains(t, r.Ready(ctx), "not registered")

	r.id, r.lastOK = "s1", time.Now()
	require.NoError(t, r.Ready(ctx))

	r.lastOK = time.Now().Add(-4 * time.Second) // the master stopped answering three heartbeats ago
	require.ErrorContains(t, r.Ready(ctx), "no heartbeat accepted")

	r.id, r.lastOK = "", time.Now() // stop of a slave that never registered calls no master
	require.NoError(t, r.stop(ctx))
	require.ErrorContains(t, r.Ready(ctx), "stopping")
}
