package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

const metricsTestSecret = "s3cret"

var authHeader = []string{fiber.HeaderAuthorization, "Bearer " + metricsTestSecret}

// newMetricsSlave is a slave server with metrics and a secret, over a fake node.
func newMetricsSlave(t *testing.T, node *fakeNode) (*fiber.App, *Metrics) {
	t.Helper()
	m, err := NewMetrics(nil, SlaveMetricsNamespace)
	require.NoError(t, err)
	return NewSlaveServer(node, SlaveServerOptions{Secret: metricsTestSecret, Metrics: m}), m
}

// scrape reads GET /metrics (without credentials: it must not need them) and returns its text.
func scrape(t *testing.T, app *fiber.App) string {
	t.Helper()
	a := testSlave(t, app, http.MethodGet, MetricsPath, nil)
	require.Equal(t, http.StatusOK, a.status, "body: %s", a.body)
	require.Contains(t, a.header.Get(fiber.HeaderContentType), "text/plain")
	return string(a.body)
}

// sample returns the value of one series in the text format ("name{labels} value"), or -1 when absent.
func sample(t *testing.T, text, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(t, err, "line %q", line)
			return f
		}
	}
	return -1
}

// routeLabels is the set of route label values of the request counter.
func routeLabels(text, namespace string) map[string]bool {
	out := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(line, namespace+"_http_requests_total{")
		if !ok {
			continue
		}
		if _, after, ok := strings.Cut(rest, `route="`); ok {
			route, _, _ := strings.Cut(after, `"`)
			out[route] = true
		}
	}
	return out
}

func requestsSeries(route, method string, status int) string {
	return fmt.Sprintf(`sfu_slave_http_requests_total{method=%q,route=%q,status="%d"}`, method, route, status)
}

func TestMetricsMiddleware(t *testing.T) {
	tests := []struct {
		name     string
		prepare  func(node *fakeNode)
		requests []string // "METHOD path", sent with the secret unless prefixed by "anon "
		series   string
		want     float64
		status   int // status of each request
	}{
		{name: "counted under the route pattern, not the ids",
			requests: []string{"POST /internal/v1/producers/p1/pause", "POST /internal/v1/producers/p2/pause", "POST /internal/v1/producers/p3/pause"},
			series:   requestsSeries("/internal/v1/producers/:id/pause", "POST", 200), want: 3, status: 200},
		{name: "a handler error is counted with the status the client gets",
			prepare:  func(n *fakeNode) { n.fail("PauseProducer", domain.ErrProducerNotFound) },
			requests: []string{"POST /internal/v1/producers/nope/pause"},
			series:   requestsSeries("/internal/v1/producers/:id/pause", "POST", 404), want: 1, status: 404},
		{name: "unknown routes share one label",
			requests: []string{"GET /internal/v1/a1", "GET /internal/v1/b2/c3", "DELETE /x/y/z", "GET /internal/v1/producers/p1/pause"},
			series:   requestsSeries(unmatchedRoute, "GET", 404), want: 2, status: 0}, // the last one is a 405
		{name: "requests refused by the auth middleware are unmatched",
			requests: []string{"anon POST /internal/v1/producers/p1/pause", "anon GET /internal/v1/stats"},
			series:   requestsSeries(unmatchedRoute, "POST", 401), want: 1, status: 401},
		{name: "healthz is counted",
			requests: []string{"anon GET /healthz"},
			series:   requestsSeries("/healthz", "GET", 200), want: 1, status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode()
			if tt.prepare != nil {
				tt.prepare(node)
			}
			app, _ := newMetricsSlave(t, node)
			for _, r := range tt.requests {
				headers := authHeader
				if rest, ok := strings.CutPrefix(r, "anon "); ok {
					r, headers = rest, nil
				}
				method, path, _ := strings.Cut(r, " ")
				a := testSlave(t, app, method, path, nil, headers...)
				if tt.status != 0 {
					require.Equal(t, tt.status, a.status, "%s: %s", r, a.body)
				}
				if a.status >= 400 {
					require.Equal(t, a.status, a.errorBody(t).Code, "the error body is still written")
				}
				require.Regexp(t, `^app;dur=\d+\.\d{3}$`, a.header.Get("Server-Timing"), "the handler's time, every answer")
			}
			text := scrape(t, app)
			require.Equal(t, tt.want, sample(t, text, tt.series), "series %s in\n%s", tt.series, text)
			for route := range routeLabels(text, SlaveMetricsNamespace) {
				require.NotContains(t, []string{"/internal/v1/a1", "/x/y/z", "/internal/v1/producers/p1/pause"}, route, "raw URL used as a label")
			}
		})
	}
}

func TestMetricsUnknownRoutesDoNotGrowLabels(t *testing.T) {
	app, _ := newMetricsSlave(t, newFakeNode())
	for i := range 50 {
		a := testSlave(t, app, http.MethodGet, fmt.Sprintf("/internal/v1/random/%d", i), nil, authHeader...)
		require.Equal(t, http.StatusNotFound, a.status)
		a = testSlave(t, app, http.MethodGet, fmt.Sprintf("/nothing-%d", i), nil)
		require.Equal(t, http.StatusUnauthorized, a.status)
	}
	text := scrape(t, app)
	require.Equal(t, map[string]bool{unmatchedRoute: true}, routeLabels(text, SlaveMetricsNamespace))
	require.Equal(t, float64(50), sample(t, text, requestsSeries(unmatchedRoute, "GET", 404)))
	require.Equal(t, float64(50), sample(t, text, requestsSeries(unmatchedRoute, "GET", 401)))
}

func TestMetricsEndpoint(t *testing.T) {
	app, m := newMetricsSlave(t, newFakeNode())
	a := testSlave(t, app, http.MethodGet, "/internal/v1/stats", nil, authHeader...)
	require.Equal(t, http.StatusOK, a.status)

	t.Run("histogram by route", func(t *testing.T) {
		text := scrape(t, app)
		require.Contains(t, text, "# TYPE sfu_slave_http_request_duration_seconds histogram")
		require.Equal(t, float64(1), sample(t, text, `sfu_slave_http_request_duration_seconds_count{method="GET",route="/internal/v1/stats"}`))
		require.Equal(t, float64(1), sample(t, text, `sfu_slave_http_request_duration_seconds_bucket{method="GET",route="/internal/v1/stats",le="+Inf"}`))
	})
	t.Run("go and process collectors on the default registry", func(t *testing.T) {
		require.Contains(t, scrape(t, app), "go_goroutines ")
	})
	t.Run("metric names pass promlint", func(t *testing.T) {
		problems, err := testutil.GatherAndLint(m.Gatherer(), "sfu_slave_http_requests_total", "sfu_slave_http_request_duration_seconds")
		require.NoError(t, err)
		require.Empty(t, problems)
	})
	t.Run("no secret needed, other routes still need it", func(t *testing.T) {
		require.Equal(t, http.StatusOK, testSlave(t, app, http.MethodGet, MetricsPath, nil).status)
		require.Equal(t, http.StatusUnauthorized, testSlave(t, app, http.MethodGet, "/internal/v1/stats", nil).status)
		require.Equal(t, http.StatusUnauthorized, testSlave(t, app, http.MethodGet, "/internal/v1/stats", nil,
			fiber.HeaderAuthorization, "Bearer wrong").status)
	})
}

func TestMetricsDisabled(t *testing.T) {
	app := NewSlaveServer(newFakeNode(), SlaveServerOptions{})
	a := testSlave(t, app, http.MethodGet, MetricsPath, nil)
	require.Equal(t, http.StatusNotFound, a.status, "no metrics, no /metrics route")
}

func TestNewMetricsRegistration(t *testing.T) {
	tests := []struct {
		name string
		reg  func() prometheus.Registerer
		ok   bool
	}{
		{name: "fresh registry", reg: func() prometheus.Registerer { return prometheus.NewRegistry() }, ok: true},
		{name: "registerer that cannot gather", reg: func() prometheus.Registerer {
			return prometheus.WrapRegistererWithPrefix("x_", prometheus.NewRegistry())
		}},
		{name: "namespace already registered", reg: func() prometheus.Registerer {
			r := prometheus.NewRegistry()
			_, err := NewMetrics(r, MasterMetricsNamespace)
			require.NoError(t, err)
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewMetrics(tt.reg(), MasterMetricsNamespace)
			if tt.ok {
				require.NoError(t, err)
				require.NotNil(t, m)
				return
			}
			require.Error(t, err)
		})
	}
}

func TestMetricsObserveNode(t *testing.T) {
	var packets uint64 = 41
	media := MediaCounters{
		PacketsIn: func() uint64 { packets++; return packets }, PacketsOut: func() uint64 { return 7 },
		BytesIn: func() uint64 { return 1000 }, BytesOut: func() uint64 { return 2000 },
		NACKs: func() uint64 { return 3 }, // PLIs left nil: not exported
		Drops: func() uint64 { return 9 },
	}
	tests := []struct {
		name  string
		stats func(ctx context.Context) (application.NodeStats, error)
		want  map[string]float64 // series → value; -1 = absent
	}{
		{name: "stats and counters", stats: newFakeNode().Stats, want: map[string]float64{
			"sfu_slave_node_stats_up": 1, "sfu_slave_routers": 1, "sfu_slave_transports": 2, "sfu_slave_producers": 3,
			"sfu_slave_consumers": 4, "sfu_slave_pipe_transports": 5, "sfu_slave_rtp_packets_received_total": 42,
			"sfu_slave_rtp_packets_sent_total": 7, "sfu_slave_rtp_bytes_received_total": 1000,
			"sfu_slave_rtp_bytes_sent_total": 2000, "sfu_slave_nacks_total": 3, "sfu_slave_plis_total": -1,
			"sfu_slave_udp_receive_drops_total": 9, "sfu_slave_downlink_estimate_bytes_per_second": 750_000 / 8,
			`sfu_slave_layer_switches_count{direction="up"}`: 3, `sfu_slave_layer_switches_sum{direction="up"}`: 5,
			`sfu_slave_layer_switches_bucket{direction="up",le="1"}`: 1, `sfu_slave_layer_switches_bucket{direction="down",le="0"}`: 3,
			`sfu_slave_layer_switches_count{direction="down"}`:       4,
			`sfu_slave_join_step_seconds_count{step="first_packet"}`: 3, `sfu_slave_join_step_seconds_sum{step="first_packet"}`: 0.6,
			`sfu_slave_join_step_seconds_bucket{step="first_packet",le="0.2"}`: 2,
			`sfu_slave_join_step_seconds_bucket{step="first_packet",le="0.3"}`: 3,
			"sfu_slave_keyframe_requests_joined_total":                         5, "sfu_slave_keyframe_requests_held_total": 2,
		}},
		{name: "stats failing", stats: newFakeNode().fail("Stats", errors.New("boom")).Stats, want: map[string]float64{
			"sfu_slave_node_stats_up": 0, "sfu_slave_routers": -1, "sfu_slave_nacks_total": 3,
		}},
		{name: "no stats", want: map[string]float64{"sfu_slave_node_stats_up": -1, "sfu_slave_rtp_bytes_sent_total": 2000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			packets = 41
			app, m := newMetricsSlave(t, newFakeNode())
			require.NoError(t, m.ObserveNode(tt.stats, media))
			text := scrape(t, app)
			for series, want := range tt.want {
				require.Equal(t, want, sample(t, text, series), series)
			}
			problems, err := testutil.GatherAndLint(m.Gatherer())
			require.NoError(t, err)
			require.Empty(t, problems)
			require.Error(t, m.ObserveNode(tt.stats, media), "a second call registers duplicates")
		})
	}
}

func TestMetricsObserveCluster(t *testing.T) {
	counts := ClusterCounts{Rooms: 1, Routers: 2, Peers: 3, Producers: 4, Consumers: 5, Pipes: 6, SlavesAlive: 7, SlavesDead: 8}
	tests := []struct {
		name string
		read func(ctx context.Context) (ClusterCounts, error)
		want map[string]float64
	}{
		{name: "counts", read: func(ctx context.Context) (ClusterCounts, error) {
			_, hasDeadline := ctx.Deadline()
			require.True(t, hasDeadline, "a scrape's read is bounded")
			return counts, nil
		}, want: map[string]float64{
			"sfu_master_cluster_stats_up": 1, "sfu_master_rooms": 1, "sfu_master_routers": 2, "sfu_master_peers": 3,
			"sfu_master_producers": 4, "sfu_master_consumers": 5, "sfu_master_pipes": 6,
			`sfu_master_slaves{status="alive"}`: 7, `sfu_master_slaves{status="dead"}`: 8,
		}},
		{name: "store down", read: func(context.Context) (ClusterCounts, error) {
			return ClusterCounts{}, domain.ErrUnavailable
		}, want: map[string]float64{"sfu_master_cluster_stats_up": 0, "sfu_master_rooms": -1, `sfu_master_slaves{status="alive"}`: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewMetrics(nil, MasterMetricsNamespace)
			require.NoError(t, err)
			require.NoError(t, m.ObserveCluster(tt.read))
			app := fiber.New()
			m.mount(app)
			text := scrape(t, app)
			for series, want := range tt.want {
				require.Equal(t, want, sample(t, text, series), series)
			}
		})
	}
	t.Run("nil func", func(t *testing.T) {
		m, err := NewMetrics(nil, MasterMetricsNamespace)
		require.NoError(t, err)
		require.Error(t, m.ObserveCluster(nil))
	})
}
