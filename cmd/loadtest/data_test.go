package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/tests/testenv"
)

var resultField = regexp.MustCompile(`(\w+)=([0-9.]+)`)

// TestDataLoadAgainstARealCluster runs `loadtest -data` against the all-in-one cluster (master, producer slave,
// consumer slave on free ports, SQLite or TEST_DATABASE_URL): every message reaches every subscriber, in order,
// through the pipe, and the RESULT line says so.
func TestDataLoadAgainstARealCluster(t *testing.T) {
	base, err := bootstrap.LoadConfig(0, "")
	require.NoError(t, err)
	base.LogLevel = "error"
	base.DatabaseURL = testenv.Database(t, "loadtest")
	base.ListenIPs = []bootstrap.ListenIP{{IP: "127.0.0.1"}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := bootstrap.StartDevCluster(ctx, bootstrap.DevClusterConfig{Base: base, MasterPort: testenv.FreePort(t),
		ProducerPort: testenv.FreePort(t), ConsumerPort: testenv.FreePort(t), DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		require.NoError(t, c.Stop(ctx))
	})

	var stdout, stderr bytes.Buffer
	code := run([]string{"-data", "-master", c.MasterURL, "-publishers", "2", "-subscribers", "5", "-data-rate", "100",
		"-duration", "2s", "-settle", "5s", "-progress", "0"}, &stdout, &stderr)
	t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	require.Equal(t, 0, code)
	lines := bytes.Split(bytes.TrimSpace(stdout.Bytes()), []byte("\n"))
	last := string(lines[len(lines)-1])
	require.Contains(t, last, "RESULT ")
	got := map[string]float64{}
	for _, m := range resultField.FindAllStringSubmatch(last, -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		require.NoError(t, err)
		got[m[1]] = v
	}
	require.EqualValues(t, 400, got["data_sent"], "2 publishers × 100 msg/s × 2 s")
	require.EqualValues(t, 2000, got["data_expected"])
	require.EqualValues(t, 2000, got["data_received"])
	require.Zero(t, got["data_loss_pct"])
	require.Zero(t, got["data_reordered"])
	require.Positive(t, got["data_latency_p50_ms"])
}
