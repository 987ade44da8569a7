package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/tests/netns"
)

// The hosts of docs/OPERATIONS.md's worked example ("Several hosts"): every address here is the one the example's
// .env files (deploy/multihost) use. A public LAN carries clients' HTTP and WebRTC; a private LAN carries the
// database, the masters' calls to slaves, heartbeats and the pipes.
var (
	publicLAN  = netip.MustParsePrefix("198.51.100.0/24")
	privateLAN = netip.MustParsePrefix("10.10.0.0/24")
)

// deployedHost is one machine of the example: its addresses and the .env file of the process it runs.
type deployedHost struct {
	name            string
	public, private string // "" = not on that LAN
	env             string // file in deploy/multihost, "" = no cluster process
	binary          string // "master" or "slave"
}

var exampleHosts = []deployedHost{
	{name: "db", private: "10.10.0.2"},
	{name: "master1", public: "198.51.100.11", private: "10.10.0.11", env: "master1.env", binary: "master"},
	{name: "master2", public: "198.51.100.12", private: "10.10.0.12", env: "master2.env", binary: "master"},
	{name: "slave-producer", public: "198.51.100.21", private: "10.10.0.21", env: "slave-producer.env", binary: "slave"},
	{name: "slave-consumer", public: "198.51.100.22", private: "10.10.0.22", env: "slave-consumer.env", binary: "slave"},
	{name: "lb", public: "198.51.100.10"}, // the load balancer / TLS front: the test's own proxy (see multihost_lb_test.go)
	{name: "publisher", public: "198.51.100.101"},
	{name: "viewer", public: "198.51.100.102"},
}

// deployment is the example running: a namespace per host, PostgreSQL on db, the cluster's processes on theirs.
type deployment struct {
	hosts  map[string]*netns.Namespace
	procs  map[string]*hostProcess
	secret string
	bins   map[string]string
}

func deploy(t *testing.T) *deployment {
	t.Helper()
	d := &deployment{hosts: map[string]*netns.Namespace{}, procs: map[string]*hostProcess{}, secret: randomHex(t, 32),
		bins: buildBinaries(t, "master", "slave")}
	public, private := netns.NewLAN(t, publicLAN), netns.NewLAN(t, privateLAN)
	for _, h := range exampleHosts {
		ns := netns.NewHost(t)
		if h.public != "" {
			public.Attach(t, ns, netip.MustParseAddr(h.public))
		}
		if h.private != "" {
			private.Attach(t, ns, netip.MustParseAddr(h.private))
		}
		d.hosts[h.name] = ns
	}
	startPostgres(t, d.hosts["db"], "10.10.0.2")
	for _, h := range exampleHosts {
		if h.env != "" {
			d.procs[h.name] = d.start(t, h)
		}
	}
	return d
}

// buildBinaries builds cmd/<name> for each name into a temporary directory.
func buildBinaries(t *testing.T, names ...string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	out := map[string]string{}
	for _, n := range names {
		out[n] = filepath.Join(dir, n)
		b, err := exec.Command("go", "build", "-o", out[n], "../../cmd/"+n).CombinedOutput()
		require.NoError(t, err, "go build cmd/%s: %s", n, b)
	}
	return out
}

// hostProcess is a cluster binary running in its host's namespace, its output kept for the test's log.
type hostProcess struct {
	name   string
	cmd    *exec.Cmd
	out    *lockedBuffer
	exited chan struct{}
}

// start runs the host's binary with the example's .env file as ./.env (a symlink: the file the doc shows) and
// only CLUSTER_SECRET from the environment, as a systemd unit with EnvironmentFile would.
func (d *deployment) start(t *testing.T, h deployedHost) *hostProcess {
	t.Helper()
	dir := t.TempDir()
	envFile, err := filepath.Abs(filepath.Join("..", "..", "deploy", "multihost", h.env))
	require.NoError(t, err)
	require.NoError(t, os.Symlink(envFile, filepath.Join(dir, ".env")))
	cmd := d.hosts[h.name].Command(context.Background(), d.bins[h.binary])
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "CLUSTER_SECRET=" + d.secret}
	p := &hostProcess{name: h.name, cmd: cmd, out: &lockedBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	require.NoError(t, cmd.Start(), h.name)
	go func() { _ = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.stop(syscall.SIGTERM, 20*time.Second)
		if t.Failed() {
			t.Logf("%s output (last lines):\n%s", h.name, lastLines(p.out.String(), 25))
		}
	})
	return p
}

// stop signals the process and waits for it to end (SIGKILL after grace).
func (p *hostProcess) stop(sig syscall.Signal, grace time.Duration) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// startPostgres runs PostgreSQL on the db host, listening on addr, with role and database sfu (the example's
// DATABASE_URL) reachable from the private LAN. The test trusts the LAN; the doc says to use a password there.
func startPostgres(t *testing.T, db *netns.Namespace, addr string) {
	t.Helper()
	for _, tool := range []string{"initdb", "postgres", "psql", "runuser"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(t, tool+" not found: the multi-host test runs PostgreSQL on its own host (apt-get install -y postgresql)")
		}
	}
	dir, err := os.MkdirTemp("", "multihost-pg")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755)) //nolint:gosec // the postgres user must enter it
	asPostgres := func(ctx context.Context, args ...string) *exec.Cmd {
		return db.Command(ctx, "runuser", append([]string{"-u", "postgres", "--"}, args...)...)
	}
	out, err := exec.Command("chown", "postgres:", dir).CombinedOutput()
	require.NoError(t, err, "chown: %s", out)
	out, err = asPostgres(context.Background(), "initdb", "-D", dir+"/data", "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--no-locale").CombinedOutput()
	require.NoError(t, err, "initdb: %s", out)
	hba, err := os.OpenFile(dir+"/data/pg_hba.conf", os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = fmt.Fprintf(hba, "host sfu sfu %s trust\n", privateLAN)
	require.NoError(t, err)
	require.NoError(t, hba.Close())

	server := asPostgres(context.Background(), "postgres", "-D", dir+"/data", "-c", "listen_addresses="+addr,
		"-p", "5432", "-k", dir, "-c", "fsync=off", "-c", "synchronous_commit=off")
	logs := &lockedBuffer{}
	server.Stdout, server.Stderr = logs, logs
	require.NoError(t, server.Start())
	p := &hostProcess{name: "postgres", cmd: server, out: logs, exited: make(chan struct{})}
	go func() { _ = server.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		// runuser passes SIGTERM on; pg_ctl's immediate stop covers a server that outlived it.
		p.stop(syscall.SIGTERM, 10*time.Second)
		_ = asPostgres(context.Background(), "pg_ctl", "-D", dir+"/data", "-m", "immediate", "stop").Run()
	})
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return asPostgres(ctx, "psql", "-h", dir, "-p", "5432", "-c", "select 1").Run() == nil
	}, 30*time.Second, 100*time.Millisecond, "PostgreSQL did not start: %s", logs)
	out, err = asPostgres(context.Background(), "psql", "-h", dir, "-p", "5432", "-v", "ON_ERROR_STOP=1",
		"-c", "CREATE ROLE sfu LOGIN", "-c", "CREATE DATABASE sfu OWNER sfu").CombinedOutput()
	require.NoError(t, err, "psql: %s", out)
}

// client is an HTTP client whose connections start in ns (a host of the example).
func client(ns *netns.Namespace) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: ns.DialContext, DisableKeepAlives: true}}
}

// failover is the load balancer's transport: each request goes to the next master in turn, and to the one after
// when a master does not take the connection (stopped, crashed), as a proxy with passive health checks does.
type failover struct {
	masters []string // host:port
	next    atomic.Uint32
	rt      http.RoundTripper
	mu      sync.Mutex
	tried   map[string]int
}

func (f *failover) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
	}
	start := int(f.next.Add(1))
	var errs []error
	for i := range f.masters {
		master := f.masters[(start+i)%len(f.masters)]
		out := req.Clone(req.Context())
		out.URL.Host, out.Host = master, master
		out.Body = io.NopCloser(bytes.NewReader(body))
		f.mu.Lock()
		f.tried[master]++
		f.mu.Unlock()
		res, err := f.rt.RoundTrip(out)
		var op *net.OpError
		if err != nil && errors.As(err, &op) && op.Op == "dial" {
			errs = append(errs, err) // not sent: the next master may take it
			continue
		}
		return res, err
	}
	return nil, errors.Join(errs...)
}
