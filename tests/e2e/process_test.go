package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

var (
	buildOnce sync.Once
	slaveBin  string
	buildErr  error
)

// slaveBinary builds cmd/slave once per test run, for tests that kill a slave process the hard way.
func slaveBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sfu-slave-bin")
		if err != nil {
			buildErr = err
			return
		}
		slaveBin = filepath.Join(dir, "slave")
		out, err := exec.Command("go", "build", "-o", slaveBin, "../../cmd/slave").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build cmd/slave: %w: %s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return slaveBin
}

// slaveProcess is a slave running as its own OS process.
type slaveProcess struct {
	cmd  *exec.Cmd
	port int
}

// startSlaveProcess runs cmd/slave with the cluster's settings and waits until the master lists it alive.
func (c *cluster) startSlaveProcess(t *testing.T, role domain.SlaveRole, env ...string) *slaveProcess {
	t.Helper()
	return c.startSlaveProcessAt(t, role, freePort(t), env...)
}

// startSlaveProcessAt runs cmd/slave on a given HTTP port (a restart at the same address).
func (c *cluster) startSlaveProcessAt(t *testing.T, role domain.SlaveRole, port int, env ...string) *slaveProcess {
	t.Helper()
	cmd := exec.Command(slaveBinary(t))
	cmd.Dir = t.TempDir() // no .env there
	cmd.Env = append(os.Environ(),
		"SLAVE_ROLE="+string(role), fmt.Sprintf("PORT=%d", port), "LISTEN_HOST=127.0.0.1", "MASTER_URL="+c.MasterURL,
		"CLUSTER_SECRET="+secret, "HEARTBEAT_INTERVAL=500ms", "LOG_LEVEL=error", "WEBRTC_LISTEN_IPS=127.0.0.1", "RTC_PORT=0")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	p := &slaveProcess{cmd: cmd, port: port}
	t.Cleanup(func() { p.kill() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	require.Eventually(t, func() bool {
		for _, s := range c.aliveSlaves() {
			if s.APIURL == url {
				return true
			}
		}
		return false
	}, 20*time.Second, 50*time.Millisecond, "slave process on %s never registered", url)
	return p
}

func (p *slaveProcess) url() string { return fmt.Sprintf("http://127.0.0.1:%d", p.port) }

// kill ends the process without a graceful stop (SIGKILL): no deregistration, sockets die with it.
func (p *slaveProcess) kill() {
	if p.cmd.Process != nil && p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_, _ = p.cmd.Process.Wait()
	}
}

// terminate stops the process gracefully (SIGTERM) and waits for it.
func (p *slaveProcess) terminate(ctx context.Context) error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
