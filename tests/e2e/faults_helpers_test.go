package e2e

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/client"
)

// ownPostgres is a throwaway PostgreSQL server the test controls (stop, start), started like
// scripts/test-postgres.sh does: initdb + pg_ctl from PATH, 127.0.0.1, a free port, trust auth, data in a temporary
// directory, run as the "postgres" system user when the test runs as root.
type ownPostgres struct {
	t       *testing.T
	bindir  string
	dir     string
	port    int
	asOwner []string
	URL     string
}

// startOwnPostgres starts the server, or skips the test when initdb is not installed (fails under
// REQUIRE_POSTGRES=1, as in CI).
func startOwnPostgres(t *testing.T) *ownPostgres {
	t.Helper()
	initdb, err := exec.LookPath("initdb")
	if err == nil {
		_, err = exec.LookPath("pg_ctl")
	}
	if err != nil {
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			t.Fatalf("REQUIRE_POSTGRES=1 but initdb/pg_ctl are not on PATH: %v", err)
		}
		t.Skip("this test stops and starts its own PostgreSQL: initdb and pg_ctl must be on PATH")
	}
	resolved, err := filepath.EvalSymlinks(initdb)
	require.NoError(t, err)
	p := &ownPostgres{t: t, bindir: filepath.Dir(resolved), port: freePort(t)}
	p.dir, err = os.MkdirTemp("", "fault-postgres")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(p.dir, 0o755)) //nolint:gosec // the postgres user must reach it
	if os.Getuid() == 0 {
		// PostgreSQL refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres").CombinedOutput()
			require.NoError(t, err, "useradd postgres: %s", out)
			u, err = user.Lookup("postgres")
			require.NoError(t, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		require.NoError(t, os.Chown(p.dir, uid, gid))
		p.asOwner = []string{"runuser", "-u", "postgres", "--"}
	}
	t.Cleanup(func() {
		_ = p.ctl("stop", "-m", "immediate")
		_ = os.RemoveAll(p.dir)
	})
	out, err := p.run(filepath.Join(p.bindir, "initdb"), "-D", p.data(), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
		"--no-locale", "--no-sync")
	require.NoError(t, err, "initdb: %s", out)
	p.Start()
	p.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
	return p
}

func (p *ownPostgres) data() string { return filepath.Join(p.dir, "data") }

func (p *ownPostgres) run(name string, args ...string) ([]byte, error) {
	argv := append(append([]string{}, p.asOwner...), append([]string{name}, args...)...)
	return exec.Command(argv[0], argv[1:]...).CombinedOutput() //nolint:gosec // test-controlled arguments
}

func (p *ownPostgres) ctl(args ...string) error {
	out, err := p.run(filepath.Join(p.bindir, "pg_ctl"), append([]string{"-D", p.data(), "-w", "-t", "60"}, args...)...)
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// Start starts the server on its port and waits until it accepts connections.
func (p *ownPostgres) Start() {
	p.t.Helper()
	// Unlike scripts/test-postgres.sh, commits are synchronous: Crash must not lose what the master was told is
	// committed (fsync stays off: the kernel keeps written pages across a server crash).
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c full_page_writes=off", p.port, p.dir)
	if err := p.ctl("-l", filepath.Join(p.dir, "server.log"), "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "server.log"))
		p.t.Fatalf("%v\nserver log:\n%s", err, log)
	}
}

// Crash stops the server the hard way (immediate mode: backends killed, no checkpoint, clients cut off).
func (p *ownPostgres) Crash() {
	p.t.Helper()
	require.NoError(p.t, p.ctl("stop", "-m", "immediate"))
}

// callLog records the outcome of API calls made while a fault is injected, by phase of the fault.
type callLog struct {
	phase atomic.Value // string
	mu    sync.Mutex
	calls []callOutcome
}

type callOutcome struct {
	Phase, Call string
	Status      int    // HTTP status; 200 for success, 0 when no answer came (timeout, connection error)
	Code        string // the error body's "error", or the transport error
	Took        time.Duration
}

func newCallLog(phase string) *callLog {
	l := &callLog{}
	l.phase.Store(phase)
	return l
}

func (l *callLog) setPhase(p string) { l.phase.Store(p) }

// record runs fn and logs its outcome under the phase current when it started, or "<start>→<end>" when the phase
// changed while it ran (the fault arrived mid-call).
func (l *callLog) record(call string, fn func() error) error {
	phase := l.phase.Load().(string) //nolint:forcetypeassert // only strings are stored
	start := time.Now()
	err := fn()
	if end := l.phase.Load().(string); end != phase { //nolint:forcetypeassert // only strings are stored
		phase += "→" + end
	}
	o := callOutcome{Phase: phase, Call: call, Status: http.StatusOK, Took: time.Since(start)}
	var apiErr *client.APIError
	switch {
	case err == nil:
	case errors.As(err, &apiErr):
		o.Status, o.Code = apiErr.Status, apiErr.Code
	default:
		o.Status, o.Code = 0, err.Error()
	}
	l.mu.Lock()
	l.calls = append(l.calls, o)
	l.mu.Unlock()
	return err
}

func (l *callLog) outcomes() []callOutcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]callOutcome(nil), l.calls...)
}

// table counts outcomes by phase, call, status and error code, for the test log.
func (l *callLog) table() string {
	counts := map[string]int{}
	slowest := map[string]time.Duration{}
	for _, o := range l.outcomes() {
		code := o.Code
		if o.Status == 0 && len(code) > 60 {
			code = code[:60] + "…"
		}
		k := fmt.Sprintf("%-16s %-22s %3d %s", o.Phase, o.Call, o.Status, code)
		counts[k]++
		slowest[k] = max(slowest[k], o.Took)
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-70s ×%-5d slowest %s\n", k, counts[k], slowest[k].Round(time.Millisecond))
	}
	return b.String()
}

// unexpected lists the outcomes of a phase whose status is not in allowed.
func (l *callLog) unexpected(phase string, allowed ...int) []callOutcome {
	return l.unexpectedIn(func(p string) bool { return p == phase }, allowed...)
}

// unexpectedIn lists the outcomes of the phases `in` selects whose status is not in allowed.
func (l *callLog) unexpectedIn(in func(phase string) bool, allowed ...int) []callOutcome {
	var out []callOutcome
	for _, o := range l.outcomes() {
		if !in(o.Phase) {
			continue
		}
		ok := false
		for _, s := range allowed {
			ok = ok || o.Status == s
		}
		if !ok {
			out = append(out, o)
		}
	}
	return out
}

// count is the number of outcomes of a phase.
func (l *callLog) count(phase string) int {
	n := 0
	for _, o := range l.outcomes() {
		if o.Phase == phase {
			n++
		}
	}
	return n
}

// faultAPI is an API client whose calls give up after timeout, so that a hang shows as a status-0 outcome.
func faultAPI(t *testing.T, masterURL string, timeout time.Duration) *client.API {
	t.Helper()
	api, err := client.NewAPI(masterURL, client.WithHTTPClient(&http.Client{Timeout: timeout}))
	require.NoError(t, err)
	return api
}
