package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/stats"
)

// printAPIReport writes the -api-only summary; its last line is machine-readable:
//
//	RESULT mode=… joins=… joins_per_s=… join_p50_ms=… join_p95_ms=… join_p99_ms=… errors=… cpu_ms_per_join_<group>=…
func printAPIReport(w io.Writer, cfg config, rec *apiRecorder, elapsed time.Duration, m *clusterMeter,
	before, after cpuReading, cleanup string,
) {
	mode := fmt.Sprintf("concurrency=%d", cfg.JoinConcurrency)
	if cfg.APIRate > 0 {
		mode = fmt.Sprintf("rate=%g/s (at most %d in flight)", cfg.APIRate, cfg.JoinConcurrency)
	}
	done := rec.done.Load()
	rate := float64(done) / elapsed.Seconds()
	fmt.Fprintf(w, "api-only joins, %s, %.1fs: %d joined, %.1f joins/s\n", mode, elapsed.Seconds(), done, rate)
	if n := rec.skipped.Load(); n > 0 {
		fmt.Fprintf(w, "starts skipped (in flight at the cap): %d\n", n)
	}
	line := func(name string, d stats.Distribution) {
		fmt.Fprintf(w, "  %-16s n=%-6d p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n", name, d.N, d.P50, d.P95, d.P99, d.Max)
	}
	rec.mu.Lock()
	for i, s := range apiSteps {
		line(s, stats.Summarize(rec.steps[i]))
	}
	join := stats.Summarize(rec.joins)
	line("join (4 steps)", join)
	errs := 0
	keys := make([]string, 0, len(rec.errors))
	for k, n := range rec.errors {
		keys = append(keys, k)
		errs += n
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "error %s: %d\n", k, rec.errors[k])
	}
	rec.mu.Unlock()
	result := []string{fmt.Sprintf("RESULT mode=%s joins=%d joins_per_s=%.1f join_p50_ms=%.2f join_p95_ms=%.2f join_p99_ms=%.2f errors=%d",
		strings.Fields(mode)[0], done, rate, join.P50, join.P95, join.P99, errs)}
	for _, g := range m.groups {
		used := after[g.name] - before[g.name]
		perJoin := 0.0
		if done > 0 {
			perJoin = used * 1000 / float64(done)
		}
		per := "join"
		if cfg.APILeave {
			per = "join and leave"
		}
		fmt.Fprintf(w, "cpu %-8s %6.2f s, %.2f ms per %s (%s)\n", g.name, used, perJoin, per, g.how)
		result = append(result, fmt.Sprintf("cpu_ms_per_join_%s=%.2f", g.name, perJoin))
	}
	fmt.Fprintf(w, "cleanup: %s\n", cleanup)
	fmt.Fprintln(w, strings.Join(result, " "))
}
