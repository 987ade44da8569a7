package httpapi

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespaces of the two servers' metrics (the prefix of every metric name).
const (
	MasterMetricsNamespace = "sfu_master"
	SlaveMetricsNamespace  = "sfu_slave"
)

// MetricsPath is where both servers expose their metrics. It is public on the slave too (like /healthz): counters
// are not secrets, and a scraper should not need the cluster secret.
const MetricsPath = "/metrics"

// serverTimingApp starts the Server-Timing header every answer carries when metrics are on: "app;dur=<ms>".
const serverTimingApp = "app;dur="

// unmatchedRoute labels requests that no route answered (404s, 405s, requests refused by a middleware). Labelling
// them by their URL would let anyone create series at will.
const unmatchedRoute = "unmatched"

// Metrics is one server's Prometheus instrumentation: HTTP request counts and latency by route pattern, the
// /metrics endpoint, and the gauges and counters the server's owner hooks in (ObserveCluster, ObserveNode).
// Lifecycle: build one per server with NewMetrics, pass it in the server's options; a nil *Metrics means no metrics.
type Metrics struct {
	namespace string
	reg       prometheus.Registerer
	gatherer  prometheus.Gatherer
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	// slow counts connections closed because a read or write deadline passed mid-request, by reason (read, write);
	// refused counts connections over the per-IP cap (GuardListener).
	slow    *prometheus.CounterVec
	refused prometheus.Counter
}

// NewMetrics registers the HTTP metrics under namespace (MasterMetricsNamespace, SlaveMetricsNamespace) in reg.
// reg must also be a prometheus.Gatherer (a *prometheus.Registry is both) since /metrics serves what it gathers.
// A nil reg gets a fresh registry with the Go runtime and process collectors: one per server, so that the
// all-in-one dev cluster's three servers do not collide in one process.
func NewMetrics(reg prometheus.Registerer, namespace string) (*Metrics, error) {
	if reg == nil {
		r := prometheus.NewRegistry()
		if err := registerAll(r, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
			return nil, err
		}
		reg = r
	}
	gatherer, ok := reg.(prometheus.Gatherer)
	if !ok {
		return nil, errors.New("httpapi: the metrics registerer must also be a prometheus.Gatherer (e.g. *prometheus.Registry)")
	}
	m := &Metrics{
		namespace: namespace,
		reg:       reg,
		gatherer:  gatherer,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time to answer an HTTP request (until the handler returns; an event stream's body is not included), by route pattern and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
	}
	m.slow = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "http", Name: "slow_clients_total",
		Help: "Connections closed because the client was too slow: read (a request not sent within the read timeouts) or write (a response not taken within the write timeout).",
	}, []string{"reason"})
	m.refused = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "http", Name: "connections_refused_total",
		Help: "Connections refused (429, closed) because their client address had MAX_CONNS_PER_IP open.",
	})
	if err := registerAll(reg, m.requests, m.latency, m.slow, m.refused); err != nil {
		return nil, err
	}
	return m, nil
}

// ObserveBuild exports <namespace>_build_info{version,commit,goversion} 1, the build this process runs (for
// dashboards that show which versions a fleet mixes during a rolling upgrade).
func (m *Metrics) ObserveBuild(version, commit, goVersion string) error {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: m.namespace, Name: "build_info",
		Help: "Always 1; the labels name the running build (version, commit, Go version).",
	}, []string{"version", "commit", "goversion"})
	g.WithLabelValues(version, commit, goVersion).Set(1)
	return registerAll(m.reg, g)
}

// registerAll registers collectors, stopping at the first failure (a duplicate name is a wiring bug).
func registerAll(reg prometheus.Registerer, cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("httpapi: register metrics: %w", err)
		}
	}
	return nil
}

// slowClient counts a connection closed for slowness; nil-safe.
func (m *Metrics) slowClient(reason string) {
	if m != nil {
		m.slow.WithLabelValues(reason).Inc()
	}
}

// connRefused counts a connection refused over the per-IP cap; nil-safe.
func (m *Metrics) connRefused() {
	if m != nil {
		m.refused.Inc()
	}
}

// Gatherer is what /metrics serves; tests and other exporters can read it.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.gatherer }

// mount installs the middleware and GET /metrics on app. The servers call it first, before any other route or
// middleware: the middleware then sees every request (panics included, once recovered inside it), and /metrics
// answers before the slave's bearer check. A nil m does nothing.
func (m *Metrics) mount(app *fiber.App) {
	if m == nil {
		return
	}
	app.Use(m.Middleware())
	app.Get(MetricsPath, m.Handler())
}

// Handler serves the gathered metrics in the Prometheus text (or negotiated) format. A failing collector (e.g. the
// cluster gauges while the database is down) costs its own metrics, not the whole scrape.
func (m *Metrics) Handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.gatherer, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
}

// Middleware counts each request under its route pattern (c.Route().Path, e.g. /rooms/:roomId), never its URL,
// so ids do not multiply the series. Errors are handed to the app's ErrorHandler here, as Fiber's logger does,
// so that the recorded status is the one the client gets.
func (m *Metrics) Middleware() fiber.Handler {
	var (
		once   sync.Once
		routes map[string]struct{}
	)
	return func(c *fiber.Ctx) error {
		start := time.Now()
		if err := c.Next(); err != nil {
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		// Routes are registered before the server listens, so the first request sees them all.
		once.Do(func() { routes = handlerRoutes(c.App()) })
		method := canonicalMethod(c.Method())
		route := unmatchedRoute
		if r := c.Route(); r != nil {
			if _, ok := routes[method+" "+r.Path]; ok {
				route = r.Path
			}
		}
		took := time.Since(start)
		m.requests.WithLabelValues(route, method, strconv.Itoa(c.Response().StatusCode())).Inc()
		m.latency.WithLabelValues(route, method).Observe(took.Seconds())
		// W3C Server Timing: the handler's time, so a client can tell its share of a request from the server's.
		c.Set(fiber.HeaderServerTiming, serverTimingApp+strconv.FormatFloat(float64(took)/float64(time.Millisecond), 'f', 3, 64))
		return nil
	}
}

// handlerRoutes is the set of "METHOD pattern" of app's handler routes. c.Route() also returns middleware
// (Use) routes, and, when Fiber rejects a request before routing, a route built from the raw URL: only patterns
// in this set are used as labels.
func handlerRoutes(app *fiber.App) map[string]struct{} {
	set := map[string]struct{}{}
	for _, r := range app.GetRoutes(true) {
		set[r.Method+" "+r.Path] = struct{}{}
	}
	return set
}

// canonicalMethod returns a constant for the method label: Fiber's c.Method() may alias a reused request buffer
// (without Immutable), and the metric keeps the label string.
func canonicalMethod(m string) string {
	switch m {
	case fiber.MethodGet:
		return fiber.MethodGet
	case fiber.MethodHead:
		return fiber.MethodHead
	case fiber.MethodPost:
		return fiber.MethodPost
	case fiber.MethodPut:
		return fiber.MethodPut
	case fiber.MethodPatch:
		return fiber.MethodPatch
	case fiber.MethodDelete:
		return fiber.MethodDelete
	case fiber.MethodOptions:
		return fiber.MethodOptions
	case fiber.MethodConnect:
		return fiber.MethodConnect
	case fiber.MethodTrace:
		return fiber.MethodTrace
	default:
		return "OTHER"
	}
}
