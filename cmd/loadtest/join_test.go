package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/stats"
)

// fakeMaster answers consumer_routers with 503 (after hold, if set) and GET /slaves with one slave.
type fakeMaster struct {
	hold              chan struct{}
	inFlight, maxSeen atomic.Int64
	mu                sync.Mutex
	users             []string
}

func (f *fakeMaster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/slaves":
		_, _ = io.WriteString(w, `[{"id":"c1","role":"consumer","apiUrl":"http://192.0.2.1:3012","status":"alive","load":{"consumers":0}}]`)
	case strings.HasSuffix(r.URL.Path, "/consumer_routers"):
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.users = append(f.users, string(body))
		f.mu.Unlock()
		n := f.inFlight.Add(1)
		for {
			m := f.maxSeen.Load()
			if n <= m || f.maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		if f.hold != nil {
			<-f.hold
		}
		f.inFlight.Add(-1)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"code":503,"error":"no_slave_available","message":"no consumer slave for room `+
			`0b9c3a5e-1f2d-4c1a-9e3b-5a6b7c8d9e0f"}`)
	default:
		http.NotFound(w, r)
	}
}

func testRunner(t *testing.T, url string, mutate func(*config)) *runner {
	t.Helper()
	cfg, err := parseConfig([]string{"-master", url, "-progress", "0"}, io.Discard)
	require.NoError(t, err)
	mutate(&cfg)
	r, err := newRunner(cfg, io.Discard, io.Discard)
	require.NoError(t, err)
	r.roomID, r.producerIDs = "room-1", []string{"p-audio", "p-video"}
	return r
}

func TestJoinAllKeepsTheRate(t *testing.T) {
	fm := &fakeMaster{}
	srv := httptest.NewServer(fm)
	defer srv.Close()
	r := testRunner(t, srv.URL, func(c *config) { c.Subscribers, c.JoinRate = 6, 40 })
	begin := time.Now()
	r.joinAll(context.Background())
	// Six starts at 40/s are five intervals of 25 ms apart.
	require.GreaterOrEqual(t, time.Since(begin), 125*time.Millisecond)
	started, ok, failed := r.joinCounts()
	require.Equal(t, []int{6, 0, 6}, []int{started, ok, failed})
	require.Len(t, fm.users, 6)
	require.Contains(t, fm.users[0], r.runID, "user ids carry the run id")
}

func TestJoinAllBoundsConcurrency(t *testing.T) {
	fm := &fakeMaster{hold: make(chan struct{})}
	srv := httptest.NewServer(fm)
	defer srv.Close()
	r := testRunner(t, srv.URL, func(c *config) { c.Subscribers, c.JoinRate, c.JoinConcurrency = 8, 0, 3 })
	done := make(chan struct{})
	go func() {
		r.joinAll(context.Background())
		close(done)
	}()
	require.Eventually(t, func() bool { return fm.inFlight.Load() == 3 }, 5*time.Second, 5*time.Millisecond)
	close(fm.hold)
	<-done
	require.Equal(t, int64(3), fm.maxSeen.Load())
	_, _, failed := r.joinCounts()
	require.Equal(t, 8, failed)
}

func TestJoinAllStopsWhenInterrupted(t *testing.T) {
	fm := &fakeMaster{}
	srv := httptest.NewServer(fm)
	defer srv.Close()
	r := testRunner(t, srv.URL, func(c *config) { c.Subscribers, c.JoinRate = 1000, 10 })
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	r.joinAll(ctx)
	started, _, _ := r.joinCounts()
	require.Less(t, started, 10, "joins stop at the interrupt")
	require.Positive(t, started)
}

func TestSummaryEndsWithResultLine(t *testing.T) {
	fm := &fakeMaster{}
	srv := httptest.NewServer(fm)
	defer srv.Close()
	r := testRunner(t, srv.URL, func(c *config) { c.Subscribers, c.JoinRate = 4, 0 })
	r.joinAll(context.Background())
	start := windowMark{at: time.Now().Add(-2 * time.Second), cpu: 1.5}
	s := r.summarize(start, nil, "none (test)", "")
	s.cleanup = "nothing"
	var out bytes.Buffer
	s.print(&out)
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	last := lines[len(lines)-1]
	got, err := stats.ParseResultLine(last)
	require.NoError(t, err, last)
	require.Len(t, got, 10)
	for _, k := range []string{"join_p50_ms", "first_packet_p95_ms", "loss_pct", "forwarded_pps", "slave_cpu_s", "pps_per_core",
		"join_cluster_p95_ms", "first_packet_cluster_p95_ms"} {
		require.Contains(t, got, k)
	}
	require.Contains(t, out.String(), "4 × subscribe: create consumer router: api: HTTP 503 no_slave_available: no consumer slave for room <id>",
		"errors differing by id are counted together")
	require.Contains(t, out.String(), "0 joined, 4 failed")
	require.Contains(t, out.String(), "CPU method: none (test)")
	require.Contains(t, out.String(), "192.0.2.1:3012", "the slaves table")
}
