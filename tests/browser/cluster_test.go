package browser

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	rooms "github.com/sfu-cluster/sfu-cluster/examples/rooms"
	"github.com/sfu-cluster/sfu-cluster/tests/testenv"
)

// testCluster is the dev cluster of one test with what the test needs to look inside it: the slaves' internal
// stats (behind the cluster secret) and the master's store gauges (GET /metrics).
type testCluster struct {
	*bootstrap.DevCluster
	secret      string
	producerURL string // the producer slave's internal API
	consumerURL string // the consumer slave's internal API
}

// startCluster runs master, producer slave, consumer slave (PostgreSQL when TEST_DATABASE_URL is set) and the demo
// server in this process, stopped when the test ends.
func startCluster(t *testing.T) *testCluster { t.Helper(); return startClusterWith(t, nil) }

// startClusterWith is startCluster with the configuration adjusted by tune (nil: none) before the cluster starts.
func startClusterWith(t *testing.T, tune func(base *bootstrap.Config, dc *bootstrap.DevClusterConfig)) *testCluster {
	t.Helper()
	base, err := bootstrap.LoadConfig(0, "")
	require.NoError(t, err)
	base.LogLevel = "warn"
	base.DatabaseURL = testenv.Database(t, "browser")
	base.ListenIPs = []bootstrap.ListenIP{{IP: "127.0.0.1"}}
	base.ClusterSecret = randomHex(t, 24)
	dist, err := fs.Sub(rooms.Dist, "dist")
	require.NoError(t, err)
	producerPort, consumerPort := testenv.FreePort(t), testenv.FreePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dc := bootstrap.DevClusterConfig{
		Base: base, MasterPort: testenv.FreePort(t), ProducerPort: producerPort, ConsumerPort: consumerPort,
		DemoAddr: "127.0.0.1:0", DemoFiles: dist, DataDir: t.TempDir(),
	}
	if tune != nil {
		tune(&dc.Base, &dc)
	}
	cluster, err := bootstrap.StartDevCluster(ctx, dc)
	require.NoError(t, err)
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		require.NoError(t, cluster.Stop(stopCtx))
	})
	return &testCluster{DevCluster: cluster, secret: dc.Base.ClusterSecret,
		producerURL: fmt.Sprintf("http://127.0.0.1:%d", producerPort), consumerURL: fmt.Sprintf("http://127.0.0.1:%d", consumerPort)}
}

// slaveStats reads a slave's GET /internal/v1/stats: live object counts and cumulative packet counters.
func (c *testCluster) slaveStats(ctx context.Context, slaveURL string) (application.NodeStats, error) {
	var s application.NodeStats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, slaveURL+"/internal/v1/stats", nil)
	if err != nil {
		return s, err
	}
	req.Header.Set("Authorization", "Bearer "+c.secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return s, fmt.Errorf("GET %s/internal/v1/stats: %s", slaveURL, res.Status)
	}
	return s, json.NewDecoder(res.Body).Decode(&s)
}

// masterGauge reads one of the master's store gauges (e.g. "pipes": rows in the pipes table) from GET /metrics.
func (c *testCluster) masterGauge(ctx context.Context, name string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.MasterURL+httpapi.MetricsPath, nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	metric := httpapi.MasterMetricsNamespace + "_" + name
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), metric+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s not in GET %s", metric, httpapi.MetricsPath)
}

// peaks are the largest values sampled while the browser ran (the run ends by leaving and deleting the room, so
// the end state is empty: what happened must be caught while it happens).
type peaks struct {
	Pipes             float64 // the master's pipes rows
	ProducerConsumers int     // consumers on the producer slave
	ConsumerConsumers int     // consumers on the consumer slave
	ProducerPipes     int     // pipe transports on the producer slave
	ConsumerPipes     int     // pipe transports on the consumer slave
	ProducerTCP       int     // transports over ICE-TCP on the producer slave
	ConsumerTCP       int     // transports over ICE-TCP on the consumer slave
	ConsumerRestarts  uint64  // ICE restarts asked of the consumer slave's open transports
	ConsumerRestarted uint64  // and completed (a check with the new credentials succeeded)
	Samples           int
	Errors            []string
}

// watch samples the master's store and both slaves every 200 ms until the returned stop is called.
func (c *testCluster) watch() (stop func() peaks) {
	ctx, cancel := context.WithCancel(context.Background())
	var (
		mu sync.Mutex
		p  peaks
		wg sync.WaitGroup
	)
	sample := func() {
		pipes, errM := c.masterGauge(ctx, "pipes")
		ps, errP := c.slaveStats(ctx, c.producerURL)
		cs, errC := c.slaveStats(ctx, c.consumerURL)
		mu.Lock()
		defer mu.Unlock()
		for _, err := range []error{errM, errP, errC} {
			if err != nil && ctx.Err() == nil && len(p.Errors) < 5 {
				p.Errors = append(p.Errors, err.Error())
			}
		}
		if errM != nil || errP != nil || errC != nil {
			return
		}
		p.Samples++
		p.Pipes = max(p.Pipes, pipes)
		p.ProducerConsumers = max(p.ProducerConsumers, ps.Consumers)
		p.ConsumerConsumers = max(p.ConsumerConsumers, cs.Consumers)
		p.ProducerPipes = max(p.ProducerPipes, ps.PipeTransports)
		p.ConsumerPipes = max(p.ConsumerPipes, cs.PipeTransports)
		p.ProducerTCP = max(p.ProducerTCP, ps.TransportsOverTCP)
		p.ConsumerTCP = max(p.ConsumerTCP, cs.TransportsOverTCP)
		p.ConsumerRestarts = max(p.ConsumerRestarts, cs.IceRestarts)
		p.ConsumerRestarted = max(p.ConsumerRestarted, cs.IceRestartsCompleted)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			sample()
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() peaks {
		cancel()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return p
	}
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}
