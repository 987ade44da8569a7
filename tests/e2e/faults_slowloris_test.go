package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/bootstrap"
)

// TestFaultSlowlorisClosedByTimeouts: 300 connections that send part of a request (nothing, half a header, or 5 of
// a declared 100 body bytes) are closed by the master within its timeouts, counted as slow clients in /metrics,
// and the master's goroutines come back to where they were. A request on a fresh connection is answered throughout.
func TestFaultSlowlorisClosedByTimeouts(t *testing.T) {
	const headerTimeout, readTimeout = time.Second, 1500 * time.Millisecond
	c := newClusterWith(t, func(cfg *bootstrap.Config) {
		cfg.HTTPTimeouts.ReadHeader = headerTimeout
		cfg.HTTPTimeouts.Read = readTimeout
		cfg.MaxConnsPerIP = 1000
	})
	ctx := ctxT(t, 60*time.Second)
	addr := strings.TrimPrefix(c.MasterURL, "http://")
	before := scrape(ctx, t, c.MasterURL)[`sfu_master_http_slow_clients_total{reason="read"}`]
	http.DefaultClient.CloseIdleConnections()
	baseline := settledGoroutines(t)

	partial := []string{
		"",                            // connects and sends nothing
		"GET /healthz HTTP/1.1\r\nHo", // half a header
		"POST /rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\nhello", // 5 of 100 body bytes
	}
	const n = 300
	var wg sync.WaitGroup
	took := make([]time.Duration, n)
	errs := make([]error, n)
	var dialer net.Dialer
	for i := range n {
		conn, err := dialer.DialContext(ctx, "tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		_, err = io.WriteString(conn, partial[i%len(partial)])
		require.NoError(t, err)
		start := time.Now()
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The client never sends more: the master must close the connection (EOF, or a reset).
			_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
			_, err := io.Copy(io.Discard, conn)
			if ne, ok := err.(net.Error); ok && ne.Timeout() { //nolint:errorlint // a deadline is what we look for
				errs[i] = fmt.Errorf("connection %d (%q) still open after 20s", i, partial[i%len(partial)])
			}
			took[i] = time.Since(start)
		}()
	}
	// Meanwhile a well-behaved client is answered.
	resp, err := http.Get(c.MasterURL + "/healthz") //nolint:noctx // one quick probe
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	wg.Wait()
	var slowest time.Duration
	for i := range n {
		require.NoError(t, errs[i])
		slowest = max(slowest, took[i])
	}
	t.Logf("%d slow connections closed, the last after %s", n, slowest.Round(time.Millisecond))
	require.Less(t, slowest, headerTimeout+readTimeout+2*time.Second, "every slow connection is closed within its timeouts")

	after := scrape(ctx, t, c.MasterURL)[`sfu_master_http_slow_clients_total{reason="read"}`]
	require.Equal(t, float64(n), after-before, "each slow connection is counted once")
	http.DefaultClient.CloseIdleConnections()
	// fasthttp keeps an idle worker goroutine for 10 s (MaxIdleWorkerDuration) before it ends.
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= baseline+5 }, 30*time.Second, 100*time.Millisecond,
		"goroutines back to the baseline %d (now %d)", baseline, runtime.NumGoroutine())
}

// TestFaultConnectionCapPerIP: past MAX_CONNS_PER_IP open connections from one address, the next is answered 429
// and closed (and counted); once one closes, a new one is served.
func TestFaultConnectionCapPerIP(t *testing.T) {
	const limit = 8
	c := newClusterWith(t, func(cfg *bootstrap.Config) { cfg.MaxConnsPerIP = limit })
	ctx := ctxT(t, 30*time.Second)
	addr := strings.TrimPrefix(c.MasterURL, "http://")
	// The test's own keep-alive connections (the cluster's start-up probes) count too: drop them first.
	http.DefaultClient.CloseIdleConnections()
	var dialer net.Dialer
	var held []net.Conn
	require.Eventually(t, func() bool {
		for _, conn := range held {
			_ = conn.Close()
		}
		held = held[:0]
		for range limit {
			conn, err := dialer.DialContext(ctx, "tcp", addr)
			require.NoError(t, err)
			held = append(held, conn)
			// Each held connection is answered, so all count against the cap.
			if get(conn) != http.StatusOK {
				return false
			}
		}
		return true
	}, 10*time.Second, 50*time.Millisecond)
	defer func() {
		for _, conn := range held {
			_ = conn.Close()
		}
	}()
	over, err := dialer.DialContext(ctx, "tcp", addr)
	require.NoError(t, err)
	defer over.Close()
	_ = over.SetReadDeadline(time.Now().Add(5 * time.Second))
	reply, err := io.ReadAll(over)
	require.NoError(t, err, "the refused connection is closed by the master")
	require.Contains(t, string(reply), "429 Too Many Requests")
	require.Contains(t, string(reply), `"error":"too_many_requests"`)

	_ = held[0].Close()
	require.Eventually(t, func() bool {
		conn, err := dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			return false
		}
		defer conn.Close()
		return get(conn) == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond, "a freed slot serves a new connection")
	// The scrape needs a slot of its own: the one freed above may still be held by the probe's connection until
	// the master reads its close, so a scrape refused with 429 is tried again.
	_ = held[1].Close()
	require.Eventually(t, func() bool {
		m, status, err := tryScrape(ctx, c.MasterURL)
		return err == nil && status == http.StatusOK && m["sfu_master_http_connections_refused_total"] >= 1
	}, 10*time.Second, 50*time.Millisecond)
}

// get sends GET /healthz on conn (kept alive) and returns the status, 0 on failure.
func get(conn net.Conn) int {
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	defer func() { _ = conn.SetDeadline(time.Time{}) }()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		return 0
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// settledGoroutines is the goroutine count once it stopped moving (background loops between ticks).
func settledGoroutines(t *testing.T) int {
	t.Helper()
	last := runtime.NumGoroutine()
	stable := 0
	require.Eventually(t, func() bool {
		n := runtime.NumGoroutine()
		if n == last {
			stable++
		} else {
			stable, last = 0, n
		}
		return stable >= 5
	}, 10*time.Second, 50*time.Millisecond)
	return last
}
