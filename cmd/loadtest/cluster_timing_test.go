package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/stats"
)

// A slave's join histogram read over HTTP twice: the difference is what happened in between, per step.
func TestClusterTimingReadsTheJoinHistograms(t *testing.T) {
	reg := prometheus.NewRegistry()
	steps := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: joinStepMetric, Help: "h",
		Buckets: application.JoinStepBuckets}, []string{"step"})
	reg.MustRegister(steps)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	read := func() map[string]stats.Histogram {
		fams, err := scrape(context.Background(), http.DefaultClient, srv.URL)
		require.NoError(t, err)
		out := map[string]stats.Histogram{}
		addHistograms(out, fams[joinStepMetric], func(m *dto.Metric) string { return "consumer " + label(m, "step") })
		return out
	}

	steps.WithLabelValues("first_packet").Observe(3) // before the run
	before := clusterTiming{steps: read()}
	for _, s := range []float64{0.04, 0.06, 0.09, 0.12} {
		steps.WithLabelValues("first_packet").Observe(s)
	}
	run := clusterTiming{steps: read()}.since(before)
	h := run.steps["consumer first_packet"]
	require.EqualValues(t, 4, h.Count)
	require.InDelta(t, 0.31, h.Sum, 1e-9)
	require.InDelta(t, 0.075, h.Quantile(0.5), 1e-9, "the 2nd of 4 is the (0.05, 0.075] bucket's top")

	var out bytes.Buffer
	run.print(&out, 4)
	require.Regexp(t, `consumer +first_packet +4 +75\.0 +140\.0 +77\.5\n`, out.String(), "n, p50, p95 and mean in ms")
	require.True(t, isJoinRoute("POST /consumer_peers/:peerId/consume"))
	require.False(t, isJoinRoute("GET /rooms/:roomId"))
}
