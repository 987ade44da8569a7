// Package build tests what operators deploy: `make build`'s static, versioned binaries (run directly) and the
// FROM scratch image the Containerfile makes of them (podman build; these machines cannot podman run).
package build

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"debug/elf"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const testVersion = "v0.0.0-buildtest"

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// built runs `make build` once per test binary, into a temporary directory, with testVersion.
func built(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not found")
	}
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "sfu-make-build"); buildErr != nil {
			return
		}
		start := time.Now()
		out, err := exec.Command("make", "-C", "../..", "build", "BIN_DIR="+binDir, "VERSION="+testVersion).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("make build: %w: %s", err, out)
			return
		}
		fmt.Printf("make build: %s\n", time.Since(start).Round(time.Second))
	})
	require.NoError(t, buildErr)
	return binDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func headCommit(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "-C", "../..", "rev-parse", "HEAD").Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

// `make build` writes static binaries that say their version and commit (-version) and export them (build_info).
func TestMakeBuildWritesStaticVersionedBinaries(t *testing.T) {
	dir := built(t)
	commit := headCommit(t)
	for _, name := range []string{"master", "slave", "cluster", "loadtest"} {
		t.Run(name, func(t *testing.T) {
			f, err := elf.Open(filepath.Join(dir, name))
			require.NoError(t, err)
			defer f.Close()
			for _, p := range f.Progs {
				require.NotEqual(t, elf.PT_INTERP, p.Type, "%s is dynamically linked", name)
			}
			if name == "loadtest" {
				return // a tool, not a server: no -version
			}
			out, err := exec.Command(filepath.Join(dir, name), "-version").CombinedOutput()
			require.NoError(t, err, "%s", out)
			require.Regexp(t, "^"+name+" "+testVersion+` \(commit `+commit+`, go1\.\S+\)\n$`, string(out))
		})
	}

	masterPort, slavePort := freePort(t), freePort(t)
	master := run(t, filepath.Join(dir, "master"), "PORT="+strconv.Itoa(masterPort), "LISTEN_HOST=127.0.0.1",
		"DATABASE_URL=sqlite://"+filepath.Join(t.TempDir(), "cluster.db"))
	masterURL := fmt.Sprintf("http://127.0.0.1:%d", masterPort)
	want := fmt.Sprintf(`sfu_master_build_info{commit=%q,goversion="go`, commit)
	requireMetric(t, masterURL, want, fmt.Sprintf(`version=%q} 1`, testVersion), master)

	slave := run(t, filepath.Join(dir, "slave"), "PORT="+strconv.Itoa(slavePort), "LISTEN_HOST=127.0.0.1",
		"SLAVE_ROLE=producer", "MASTER_URL="+masterURL, "WEBRTC_LISTEN_IPS=127.0.0.1")
	want = fmt.Sprintf(`sfu_slave_build_info{commit=%q,goversion="go`, commit)
	requireMetric(t, fmt.Sprintf("http://127.0.0.1:%d", slavePort), want, fmt.Sprintf(`version=%q} 1`, testVersion), slave)
}

// The Containerfile builds a FROM scratch image of exactly those binaries (podman build; skipped, saying so,
// where podman is missing unless REQUIRE_PODMAN=1). Prints the image's size (and writes it to
// $ARTIFACTS_DIR/image-size.txt).
func TestContainerImageBuilds(t *testing.T) {
	if _, err := exec.LookPath("podman"); err != nil {
		if os.Getenv("REQUIRE_PODMAN") == "1" {
			t.Fatal("podman not found (apt-get install -y podman) (REQUIRE_PODMAN=1)")
		}
		t.Skip("podman not found: the container image is not built (apt-get install -y podman; REQUIRE_PODMAN=1 fails instead)")
	}
	dir := built(t)
	context := t.TempDir() // only the binaries: a small build context
	require.NoError(t, os.Mkdir(filepath.Join(context, "bin"), 0o750))
	for _, name := range []string{"master", "slave", "cluster", "loadtest"} {
		require.NoError(t, os.Link(filepath.Join(dir, name), filepath.Join(context, "bin", name)))
	}
	containerfile, err := filepath.Abs("../../Containerfile")
	require.NoError(t, err)
	iidFile := filepath.Join(t.TempDir(), "iid")
	tag := "localhost/sfu-cluster-buildtest:" + strings.ToLower(strconv.FormatInt(time.Now().UnixNano(), 36))
	start := time.Now()
	out, err := exec.Command("podman", "build", "--layers=false", "-q", "-f", containerfile, "--iidfile", iidFile,
		"-t", tag, context).CombinedOutput()
	require.NoError(t, err, "podman build: %s", out)
	built := time.Since(start)
	iid, err := os.ReadFile(iidFile)
	require.NoError(t, err)
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", strings.TrimSpace(string(iid))).Run() })

	out, err = exec.Command("podman", "image", "inspect", "--format", "{{.Size}}|{{.Config.Cmd}}|{{.Config.User}}", tag).Output()
	require.NoError(t, err)
	parts := strings.Split(strings.TrimSpace(string(out)), "|")
	require.Len(t, parts, 3)
	size, err := strconv.ParseInt(parts[0], 10, 64)
	require.NoError(t, err)
	require.Equal(t, "[master]", parts[1])
	require.Equal(t, "65532:65532", parts[2], "not root")
	line := fmt.Sprintf("container image %s: %.1f MB (podman build %s)\n", tag, float64(size)/1e6, built.Round(100*time.Millisecond))
	fmt.Print(line)
	if dir := os.Getenv("ARTIFACTS_DIR"); dir != "" { // go test hides a passing package's output; CI prints this
		require.NoError(t, os.MkdirAll(dir, 0o750))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "image-size.txt"), []byte(line), 0o600))
	}

	// Its files are the binaries and nothing else (podman export of a created, never started, container).
	out, err = exec.Command("podman", "create", tag).Output()
	require.NoError(t, err)
	cid := strings.TrimSpace(string(out))
	t.Cleanup(func() { _ = exec.Command("podman", "rm", "-f", cid).Run() })
	export := exec.Command("podman", "export", cid)
	tarOut, err := export.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, export.Start())
	files := map[string][32]byte{}
	tr := tar.NewReader(tarOut)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if h.Typeflag == tar.TypeReg {
			sum := sha256.New()
			_, err := io.Copy(sum, tr) //nolint:gosec // our own image
			require.NoError(t, err)
			files[h.Name] = [32]byte(sum.Sum(nil))
		}
	}
	require.NoError(t, export.Wait())
	require.Len(t, files, 4, "%v", files)
	for _, name := range []string{"master", "slave", "cluster", "loadtest"} {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Equal(t, sha256.Sum256(raw), files["usr/local/bin/"+name], name)
	}
}

// run starts a binary in a temporary directory (no .env) with env, stopped when the test ends; its output is
// returned for failure messages.
func run(t *testing.T, bin string, env ...string) *logBuffer {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir()
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "LOG_LEVEL=warn"}, env...)
	out := &logBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return out
}

// logBuffer collects a process's output; String may be called while it writes.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// requireMetric waits until baseURL/metrics has a line starting with prefix and ending with suffix.
func requireMetric(t *testing.T, baseURL, prefix, suffix string, logs *logBuffer) {
	t.Helper()
	var seen string
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/metrics", nil)
		if err != nil {
			return false
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			seen = err.Error()
			return false
		}
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, prefix) {
				seen = line
				return strings.HasSuffix(line, suffix)
			}
		}
		return false
	}, 30*time.Second, 100*time.Millisecond, "no %s...%s on %s/metrics (last: %s); process output: %s", prefix, suffix, baseURL, &seen, logs)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// The systemd units of deploy/systemd pass `systemd-analyze verify` (no unknown key, no bad value) with their
// ExecStart pointed at the built binaries; skipped where systemd-analyze is missing.
func TestSystemdUnitsVerify(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze not found: the units are not checked")
	}
	dir := built(t)
	for unit, bin := range map[string]string{"sfu-master.service": "master", "sfu-slave.service": "slave"} {
		t.Run(unit, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "deploy", "systemd", unit))
			require.NoError(t, err)
			exec1 := "ExecStart=/usr/local/bin/sfu-" + bin + "\n"
			require.Contains(t, string(raw), exec1)
			copied := filepath.Join(t.TempDir(), unit)
			require.NoError(t, os.WriteFile(copied,
				[]byte(strings.Replace(string(raw), exec1, "ExecStart="+filepath.Join(dir, bin)+"\n", 1)), 0o600))
			out, err := exec.Command("systemd-analyze", "verify", copied).CombinedOutput()
			require.NoError(t, err, "%s", out)
			require.Empty(t, strings.TrimSpace(string(out)), "systemd-analyze verify %s", unit)
		})
	}
}
