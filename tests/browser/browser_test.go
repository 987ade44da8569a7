// Package browser runs the real-browser end-to-end test from `go test`: the dev cluster (master, producer slave,
// consumer slave; PostgreSQL when TEST_DATABASE_URL is set) in this process, and run.mjs driving headless Chromium
// with the unchanged mediasoup-client demo app. Without Chromium or Node it skips, unless REQUIRE_BROWSER=1 (CI).
package browser

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	rooms "github.com/sfu-cluster/sfu-cluster/examples/rooms"
	"github.com/sfu-cluster/sfu-cluster/tests/testenv"
)

func TestBrowserPublishAndViewThroughThePipe(t *testing.T) {
	chromium := envOr("CHROMIUM_PATH", "/usr/bin/chromium")
	if _, err := os.Stat(chromium); err != nil {
		skipOrFail(t, "no Chromium at "+chromium+" (apt-get install -y chromium)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		skipOrFail(t, "no node on PATH")
	}
	base, err := bootstrap.LoadConfig(0, "")
	require.NoError(t, err)
	base.LogLevel = "warn"
	base.DatabaseURL = testenv.Database(t, "browser")
	base.ListenIPs = []bootstrap.ListenIP{{IP: "127.0.0.1"}}
	dist, err := fs.Sub(rooms.Dist, "dist")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cluster, err := bootstrap.StartDevCluster(ctx, bootstrap.DevClusterConfig{
		Base: base, MasterPort: testenv.FreePort(t), ProducerPort: testenv.FreePort(t), ConsumerPort: testenv.FreePort(t),
		DemoAddr: "127.0.0.1:0", DemoFiles: dist, DataDir: t.TempDir(),
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		require.NoError(t, cluster.Stop(stopCtx))
	})
	artifacts := envOr("ARTIFACTS_DIR", filepath.Join(mustAbs(t, "."), "artifacts"))
	runCtx, cancelRun := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancelRun()
	cmd := exec.CommandContext(runCtx, "bash", "run.sh")
	cmd.Env = append(os.Environ(), "DEMO_URL="+cluster.DemoURL+"/", "ARTIFACTS_DIR="+artifacts, "CHROMIUM_PATH="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("run.mjs output:\n%s", out)
	require.NoError(t, err, "the browser test failed")
}

func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("REQUIRE_BROWSER") == "1" {
		t.Fatal(why + " (REQUIRE_BROWSER=1)")
	}
	t.Skip(why)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	require.NoError(t, err)
	return abs
}
