package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/proccpu"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestHeartbeatIntegrator(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	sl := func(id string, seen float64, cpu float64) slaveView {
		return slaveView{ID: id, LastSeenAt: at(seen), Load: domain.SlaveLoad{CPU: cpu}}
	}
	h := newHeartbeatIntegrator()
	h.observe([]slaveView{sl("p", 0, 0.9), sl("c", 1, 0.9)}) // first sight: starts only
	require.Zero(t, h.seconds)
	h.observe([]slaveView{sl("p", 2, 0.5), sl("c", 1, 0.9)}) // c did not beat again: nothing from c
	require.InDelta(t, 1.0, h.seconds, 1e-9)
	h.observe([]slaveView{sl("p", 2, 0.5), sl("c", 3, 1.5)}) // p repeated: counted once; c 1.5 cores × 2 s
	require.InDelta(t, 4.0, h.seconds, 1e-9)
	h.observe([]slaveView{sl("p", 1, 0.5)}) // an older heartbeat (master restarted?) is ignored
	require.InDelta(t, 4.0, h.seconds, 1e-9)
	h.observe([]slaveView{sl("p", 4, 0.25), sl("new", 4, 1)})
	require.InDelta(t, 4.5, h.seconds, 1e-9)
}

func TestHeartbeatMeterPolls(t *testing.T) {
	var beats int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		beats++ // one request at a time: the meter polls from one goroutine
		seen := time.Unix(1000+int64(beats)*2, 0).UTC().Format(time.RFC3339)
		_, _ = w.Write([]byte(`[{"id":"s1","role":"consumer","apiUrl":"http://10.1.1.1:3012","status":"alive","load":{"cpu":0.5},"lastSeenAt":"` + seen + `"}]`))
	}))
	defer srv.Close()
	m := startHeartbeatMeter(context.Background(), newSlaveLister(srv.URL, "", srv.Client()), "slave is remote")
	require.Eventually(t, func() bool {
		v, err := m.total(context.Background())
		return err == nil && v >= 2 // at least two beats of 2 s at half a core
	}, 5*time.Second, 50*time.Millisecond)
	m.close()
	require.Contains(t, m.method(), "slave is remote")
}

func TestSlaveListerAndBearer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/slaves" || r.Header.Get("Authorization") != "Bearer s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"unauthorized"}`))
			return
		}
		_, _ = w.Write([]byte(`[{"id":"a","role":"producer","apiUrl":"http://127.0.0.1:3011","status":"alive",
			"load":{"transports":3,"routers":1,"producers":2,"consumers":0,"cpu":0.12},"lastSeenAt":"2025-01-01T00:00:00Z"}]`))
	}))
	defer srv.Close()
	got, err := newSlaveLister(srv.URL, "s3cret", srv.Client()).list(context.Background())
	require.NoError(t, err)
	require.Equal(t, []slaveView{{ID: "a", Role: "producer", APIURL: "http://127.0.0.1:3011", Status: "alive",
		Load: domain.SlaveLoad{Transports: 3, Routers: 1, Producers: 2, CPU: 0.12}, LastSeenAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}}, got)

	_, err = newSlaveLister(srv.URL, "", srv.Client()).list(context.Background())
	require.ErrorContains(t, err, "HTTP 401")
}

func TestLocalPort(t *testing.T) {
	tests := []struct {
		url   string
		port  int
		local bool
	}{
		{"http://127.0.0.1:3011", 3011, true},
		{"http://localhost:3012/", 3012, true},
		{"http://[::1]:3012", 3012, true},
		{"http://127.0.0.1", 80, true},
		{"https://127.0.0.1", 443, true},
		{"http://192.0.2.10:3011", 3011, false}, // TEST-NET: never this host
		{"http://sfu.example.com:3011", 3011, false},
		{"::bad", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			port, local := localPort(tt.url)
			require.Equal(t, tt.local, local)
			if tt.port != 0 {
				require.Equal(t, tt.port, port)
			}
		})
	}
}

// listen opens a loopback listener standing for a slave's or the master's API port.
func listen(t *testing.T) (string, int) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	return "http://127.0.0.1:" + strconv.Itoa(port), port
}

func TestDiscoverSlavePIDs(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc on this system")
	}
	reader := proccpu.NewReader()
	masterURL, _ := listen(t)
	prodURL, prodPort := listen(t)
	consURL, _ := listen(t)
	slaves := []slaveView{{ID: "producer-1", Role: "producer", APIURL: prodURL}, {ID: "consumer-1", Role: "consumer", APIURL: consURL}}

	t.Run("all in this process, with the master", func(t *testing.T) {
		m, why := discoverSlavePIDs(reader, masterURL, slaves)
		require.Empty(t, why)
		require.NotNil(t, m)
		require.Equal(t, []int{os.Getpid()}, m.pids, "two slaves in one process count once")
		require.Contains(t, m.method(), "producer producer :"+strconv.Itoa(prodPort))
		require.Contains(t, m.method(), "also serves the master")
		cpu, err := m.total(context.Background())
		require.NoError(t, err)
		require.Positive(t, cpu)
	})
	t.Run("remote master is not noted", func(t *testing.T) {
		m, _ := discoverSlavePIDs(reader, "http://192.0.2.1:3010", slaves)
		require.NotNil(t, m)
		require.NotContains(t, m.method(), "master")
	})
	t.Run("a remote slave", func(t *testing.T) {
		m, why := discoverSlavePIDs(reader, masterURL, append(slaves, slaveView{ID: "far", APIURL: "http://192.0.2.9:3012"}))
		require.Nil(t, m)
		require.Contains(t, why, "not on this host")
	})
	t.Run("nobody listening", func(t *testing.T) {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		require.NoError(t, err)
		port := ln.Addr().(*net.TCPAddr).Port
		require.NoError(t, ln.Close())
		m, why := discoverSlavePIDs(reader, masterURL, []slaveView{{ID: "gone", APIURL: "http://127.0.0.1:" + strconv.Itoa(port)}})
		require.Nil(t, m)
		require.Contains(t, why, "no visible process")
	})
	t.Run("no slaves", func(t *testing.T) {
		m, why := discoverSlavePIDs(reader, masterURL, nil)
		require.Nil(t, m)
		require.Contains(t, why, "no slave")
	})
}
