package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestMetricsCountTheMediaAndTheCluster scrapes /metrics of the master and both slaves of a live call through the
// pipe: the gauges match the call and the media counters moved (they are wired to the real node, not only to
// fakes as in the adapter's unit tests).
func TestMetricsCountTheMediaAndTheCluster(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 60*time.Second)
	sub := c.startCall(ctx, t, false, true).sub
	video := sub.Consumers[0]
	require.NoError(t, video.WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Packets >= 20 }))
	time.Sleep(600 * time.Millisecond) // past the PLI rate limit of the resume's keyframe request
	require.NoError(t, video.SendPLI())

	producerSlave, consumerSlave := c.slaves[0], c.slaves[1]
	require.Eventually(t, func() bool { return scrape(ctx, t, consumerSlave.url())["sfu_slave_plis_total"] >= 1 }, 5*time.Second,
		50*time.Millisecond, "bob's PLI is counted on the consumer slave")
	p, cs := scrape(ctx, t, producerSlave.url()), scrape(ctx, t, consumerSlave.url())
	for _, m := range []map[string]float64{p, cs} {
		require.Equal(t, 1.0, m["sfu_slave_node_stats_up"])
		require.Equal(t, 1.0, m["sfu_slave_routers"])
		require.Equal(t, 1.0, m["sfu_slave_pipe_transports"])
		require.Equal(t, 1.0, m["sfu_slave_producers"], "the publisher's producer, then its piped copy")
		require.Equal(t, 1.0, m["sfu_slave_transports"])
		require.Greater(t, m["sfu_slave_rtp_packets_received_total"], 20.0)
		require.Greater(t, m["sfu_slave_rtp_packets_sent_total"], 20.0)
		require.Greater(t, m["sfu_slave_rtp_bytes_received_total"], m["sfu_slave_rtp_packets_received_total"]*12, "bytes count headers and payloads")
		require.Greater(t, m["sfu_slave_rtp_bytes_sent_total"], 0.0)
	}
	require.Zero(t, p["sfu_slave_consumers"], "what feeds a pipe is not a client's consumer")
	require.Equal(t, 1.0, cs["sfu_slave_consumers"], "bob's")
	// The producer slave counts the keyframe requests that came over the pipe: the one the consumer slave made
	// when bob's consumer resumed, and bob's own.
	require.Eventually(t, func() bool { return scrape(ctx, t, producerSlave.url())["sfu_slave_plis_total"] >= 2 }, 5*time.Second,
		50*time.Millisecond, "keyframe requests over the pipe are counted on the producer slave")

	m := scrape(ctx, t, c.MasterURL)
	require.Equal(t, 1.0, m["sfu_master_cluster_stats_up"])
	require.Equal(t, 1.0, m["sfu_master_rooms"])
	require.Equal(t, 2.0, m["sfu_master_routers"])
	require.Equal(t, 2.0, m["sfu_master_peers"])
	require.Equal(t, 1.0, m["sfu_master_producers"])
	require.Equal(t, 1.0, m["sfu_master_consumers"])
	require.Equal(t, 1.0, m["sfu_master_pipes"])
	require.Equal(t, 2.0, m[`sfu_master_slaves{status="alive"}`])
}

// scrape reads a /metrics page into name{labels} → value (the text format; histograms' series are skipped).
func scrape(ctx context.Context, t *testing.T, baseURL string) map[string]float64 {
	t.Helper()
	out, status, err := tryScrape(ctx, baseURL)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, "/metrics needs no secret")
	return out
}

// tryScrape is scrape for a caller that expects refusals: the page's values when the status is 200, else nil.
func tryScrape(ctx context.Context, baseURL string) (map[string]float64, int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", baseURL+"/metrics", nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode, nil
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, resp.StatusCode, fmt.Errorf("metrics line %q: %w", line, err)
		}
		out[line[:i]] = v
	}
	return out, resp.StatusCode, sc.Err()
}
