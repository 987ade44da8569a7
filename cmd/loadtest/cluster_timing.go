package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/stats"
)

// The cluster's own share of a join, read from its /metrics: every slave's join timeline
// (sfu_slave_join_step_seconds{step}, summed per role) and the master's handler time per route
// (sfu_master_http_request_duration_seconds{route,method}). Read before the joins and at the summary, the
// difference is this run's. Unlike the clients' figures, none of it waits for the clients' CPU or Pion's ICE tick.
const (
	joinStepMetric    = "sfu_slave_join_step_seconds"
	httpLatencyMetric = "sfu_master_http_request_duration_seconds"
)

// clusterTiming is one reading of those histograms.
type clusterTiming struct {
	steps  map[string]stats.Histogram // "<role> <step>"
	routes map[string]stats.Histogram // "<method> <route>"
	errs   []string
}

// timingTimeout bounds one reading: a slave forwarding to a thousand viewers on a starved machine answers slowly.
const timingTimeout = 20 * time.Second

// readClusterTiming scrapes the master and every slave GET /slaves lists (their /metrics is public).
func (r *runner) readClusterTiming(ctx context.Context, hc *http.Client) clusterTiming {
	ctx, cancel := context.WithTimeout(ctx, timingTimeout)
	defer cancel()
	t := clusterTiming{steps: map[string]stats.Histogram{}, routes: map[string]stats.Histogram{}}
	if fams, err := scrape(ctx, hc, r.cfg.MasterURL+"/metrics"); err != nil {
		t.errs = append(t.errs, "master: "+err.Error())
	} else {
		addHistograms(t.routes, fams[httpLatencyMetric], func(m *dto.Metric) string {
			return label(m, "method") + " " + label(m, "route")
		})
	}
	slaves, err := r.lister.list(ctx)
	if err != nil {
		t.errs = append(t.errs, err.Error())
	}
	for _, s := range slaves {
		fams, err := scrape(ctx, hc, s.APIURL+"/metrics")
		if err != nil {
			t.errs = append(t.errs, fmt.Sprintf("slave %s: %v", shortID(s.ID), err))
			continue
		}
		addHistograms(t.steps, fams[joinStepMetric], func(m *dto.Metric) string { return s.Role + " " + label(m, "step") })
	}
	return t
}

func scrape(ctx context.Context, hc *http.Client, url string) (map[string]*dto.MetricFamily, error) {
	// The URLs are the master's and those its GET /slaves reports: the cluster under test, which the tool drives anyway.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil) //nolint:gosec // see above
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req) //nolint:gosec // see above
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	return fams, nil
}

// addHistograms adds each histogram series of fam to into, under key(series); series with equal keys are summed.
func addHistograms(into map[string]stats.Histogram, fam *dto.MetricFamily, key func(*dto.Metric) string) {
	if fam == nil || fam.GetType() != dto.MetricType_HISTOGRAM {
		return
	}
	for _, m := range fam.GetMetric() {
		h := m.GetHistogram()
		var read stats.Histogram
		for _, b := range h.GetBucket() {
			if math.IsInf(b.GetUpperBound(), 1) {
				continue
			}
			read.Bounds = append(read.Bounds, b.GetUpperBound())
			read.Counts = append(read.Counts, b.GetCumulativeCount())
		}
		read.Count, read.Sum = h.GetSampleCount(), h.GetSampleSum()
		k := key(m)
		if sum, ok := into[k]; ok && slices.Equal(sum.Bounds, read.Bounds) {
			for i := range read.Counts {
				read.Counts[i] += sum.Counts[i]
			}
			read.Count, read.Sum = read.Count+sum.Count, read.Sum+sum.Sum
		}
		into[k] = read
	}
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// since is what was observed between earlier and t.
func (t clusterTiming) since(earlier clusterTiming) clusterTiming {
	out := clusterTiming{steps: map[string]stats.Histogram{}, routes: map[string]stats.Histogram{},
		errs: append(slices.Clone(earlier.errs), t.errs...)}
	for k, h := range t.steps {
		out.steps[k] = h.Since(earlier.steps[k])
	}
	for k, h := range t.routes {
		out.routes[k] = h.Since(earlier.routes[k])
	}
	return out
}

// apiSecondsPerJoin is the master's handler time spent on the joins' routes, per join: the cluster's mean share of
// a join (the rest is the network and the client).
func (t clusterTiming) apiSecondsPerJoin(joins int) float64 {
	if joins == 0 {
		return math.NaN()
	}
	var sum float64
	for k, h := range t.routes {
		if isJoinRoute(k) {
			sum += h.Sum
		}
	}
	return sum / float64(joins)
}

// isJoinRoute: the master routes a subscriber's join calls (client.Subscribe and preferred layers).
func isJoinRoute(key string) bool {
	for _, r := range []string{"/consumer_routers", "/consumer_peers", "/consume", "/resume", "/connect", "/preferred_layers"} {
		if strings.HasPrefix(key, "POST ") && strings.Contains(key, r) {
			return true
		}
	}
	return false
}

// print writes the cluster's timing table: per step and role, then the master's join routes.
func (t clusterTiming) print(w io.Writer, joins int) {
	num := stats.FormatNumber
	ms := func(s float64) string { return num(s*1000, 1) }
	fmt.Fprintln(w, "cluster timing (server side, this run; from the slaves' and the master's /metrics, ms; p50/p95 from histogram buckets):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  slave\tstep\tn\tp50\tp95\tmean")
	for _, k := range slices.Sorted(maps.Keys(t.steps)) {
		h := t.steps[k]
		if h.Count == 0 {
			continue
		}
		role, step, _ := strings.Cut(k, " ")
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\n", role, step, h.Count, ms(h.Quantile(0.5)), ms(h.Quantile(0.95)), ms(h.Mean()))
	}
	fmt.Fprintln(tw, "  master\troute (handler time)\tn\tp50\tp95\tmean")
	for _, k := range slices.Sorted(maps.Keys(t.routes)) {
		if h := t.routes[k]; h.Count > 0 && isJoinRoute(k) {
			fmt.Fprintf(tw, "  \t%s\t%d\t%s\t%s\t%s\n", k, h.Count, ms(h.Quantile(0.5)), ms(h.Quantile(0.95)), ms(h.Mean()))
		}
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "  master handler time per join: %s ms (mean, all of a join's calls)\n", ms(t.apiSecondsPerJoin(joins)))
	for _, e := range t.errs[:min(len(t.errs), 3)] {
		fmt.Fprintf(w, "  (not read: %s)\n", e)
	}
}
