package bootstrap

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
	"github.com/sfu-cluster/sfu-cluster/tests/testenv"
)

// readyz reads the master's GET /readyz: its status and JSON body.
func readyz(t *testing.T, cfg Config) (int, map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+cfg.ListenAddr()+"/readyz", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body), "readyz answers JSON: %q", raw)
	return resp.StatusCode, body
}

// requireReadyz waits (up to 10 s: a pool may need a retry to notice) for /readyz to answer want, and checks the
// body: {"status":"ready"}, or a 503 Error body.
func requireReadyz(t *testing.T, cfg Config, want int) {
	t.Helper()
	var status int
	var body map[string]any
	require.Eventually(t, func() bool {
		status, body = readyz(t, cfg)
		return status == want
	}, 10*time.Second, 50*time.Millisecond, "readyz: want %d", want)
	if want == http.StatusOK {
		require.Equal(t, map[string]any{"status": "ready"}, body)
		return
	}
	require.EqualValues(t, want, body["code"])
	require.Equal(t, "unavailable", body["error"])
	require.Contains(t, body["message"], "database is unavailable")
}

// downSlaves is the master's SlaveRepo with a switch that makes it fail as the store adapter does when the
// database cannot be reached (domain.ErrUnavailable over the dial error).
type downSlaves struct {
	application.SlaveRepo
	down atomic.Bool
}

func (s *downSlaves) List(ctx context.Context) ([]domain.Slave, error) {
	if s.down.Load() {
		return nil, fmt.Errorf("list slaves: %w: %w", domain.ErrUnavailable,
			&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})
	}
	return s.SlaveRepo.List(ctx)
}

func TestMasterReadyzFollowsTheStore(t *testing.T) {
	cfg := testConfig(t, freePort(t))
	cfg.DatabaseURL = "sqlite://" + t.TempDir() + "/cluster.db"
	repo := &downSlaves{}
	app := fxtest.New(t, Master(cfg), fx.NopLogger, fx.Decorate(func(r application.SlaveRepo) application.SlaveRepo {
		repo.SlaveRepo = r
		return repo
	}))
	app.RequireStart()
	defer app.RequireStop()
	requireReadyz(t, cfg, http.StatusOK)
	repo.down.Store(true)
	requireReadyz(t, cfg, http.StatusServiceUnavailable)
	repo.down.Store(false)
	requireReadyz(t, cfg, http.StatusOK)
}

// With PostgreSQL (TEST_DATABASE_URL), the real thing: the master reaches its database through a TCP proxy that the
// test cuts (listener closed, every connection reset) and restores on the same address.
func TestMasterReadyzWhenPostgresIsUnreachable(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" && os.Getenv("REQUIRE_POSTGRES") != "1" {
		t.Skip("needs PostgreSQL: TEST_DATABASE_URL (scripts/test-postgres.sh)")
	}
	dbURL, err := url.Parse(testenv.Database(t, "readyz"))
	require.NoError(t, err)
	proxy := &tcpProxy{target: dbURL.Host, conns: map[net.Conn]struct{}{}}
	proxy.up(t)
	defer proxy.down()
	dbURL.Host = proxy.addr

	cfg := testConfig(t, freePort(t))
	cfg.DatabaseURL = dbURL.String()
	app := fxtest.New(t, Master(cfg), fx.NopLogger)
	app.RequireStart()
	defer app.RequireStop()
	requireReadyz(t, cfg, http.StatusOK)
	proxy.down()
	requireReadyz(t, cfg, http.StatusServiceUnavailable)
	proxy.up(t)
	requireReadyz(t, cfg, http.StatusOK)
}

// tcpProxy forwards TCP connections to target; down closes the listener and every connection, up listens again on
// the same address.
type tcpProxy struct {
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
}

func (p *tcpProxy) up(t *testing.T) {
	t.Helper()
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	require.NoError(t, err)
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *tcpProxy) forward(c net.Conn) {
	var d net.Dialer
	s, err := d.DialContext(context.Background(), "tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	if !p.track(c, s) {
		return
	}
	go func() { _, _ = io.Copy(s, c); _ = s.Close() }()
	_, _ = io.Copy(c, s)
	_ = c.Close()
}

// track records a connection pair, or closes it when the proxy went down meanwhile.
func (p *tcpProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		for _, c := range conns {
			_ = c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}
