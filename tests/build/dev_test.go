package build

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/tests/netns"
)

// A newcomer's first run: `make dev` on a terminal (script(1) gives it one) says what it compiles and starts,
// prints the demo URL with the certificate warning to expect and the dev cluster's secret, which opens GET
// /slaves; Ctrl-C (the terminal's ^C, not a signal sent by hand) stops it and `make dev` exits 0. It runs in a
// network namespace of its own, so its fixed ports (3010-3012, 4430) meet nobody else's.
func TestMakeDevFirstRun(t *testing.T) {
	for _, tool := range []string{"make", "script"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found", tool)
		}
	}
	ns := netns.NewHost(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	cmd := ns.Command(ctx, "script", "-qefc", "make --no-print-directory dev BIN_DIR="+filepath.Join(tmp, "bin"), "/dev/null")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "DATABASE_URL=sqlite://"+filepath.Join(tmp, "cluster.db"), "CLUSTER_SECRET=")
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	out := &logBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill() }()

	require.Eventually(t, func() bool { return strings.Contains(out.String(), "Stop     Ctrl-C") }, 8*time.Minute,
		100*time.Millisecond, "make dev never said it was up:\n%s", out)
	up := out.String()
	for _, want := range []string{"== make dev: compiling ./cmd/cluster", "== compiled in", "== starting the master on http://127.0.0.1:3010",
		"== starting the producer slave", "== starting the consumer slave", "== serving the demo app",
		"Demo     https://localhost:4430", "self-signed", "Proceed to localhost"} {
		require.Contains(t, up, want)
	}
	m := regexp.MustCompile(`Authorization: Bearer ([0-9a-f]{64})`).FindStringSubmatch(up)
	require.NotNil(t, m, "the dev secret is printed")

	// The printed secret opens the operator routes (from inside the namespace, where the cluster listens).
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: ns.DialContext}}
	var slaves []struct {
		Status string `json:"status"`
	}
	require.Eventually(t, func() bool {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:3010/slaves", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+m[1])
		res, err := c.Do(req)
		if err != nil {
			return false
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode == http.StatusOK && json.Unmarshal(body, &slaves) == nil && len(slaves) == 2
	}, 10*time.Second, 100*time.Millisecond)

	_, err = stdin.Write([]byte{3}) // ^C on the terminal
	require.NoError(t, err)
	select {
	case err := <-exited:
		require.NoError(t, err, "make dev exits 0 on Ctrl-C:\n%s", out)
	case <-time.After(60 * time.Second):
		t.Fatalf("make dev did not stop on Ctrl-C:\n%s", out)
	}
	require.Contains(t, out.String(), "== stopped")
	fmt.Printf("make dev transcript (log lines elided):\n%s", elideLogs(out.String()))
}

// elideLogs keeps the lines a person reads (what make dev says), not the structured log lines.
func elideLogs(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT`).MatchString(strings.TrimSpace(line)) {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
