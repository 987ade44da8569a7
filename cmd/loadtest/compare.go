package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/stats"
)

// compareRun is one of -compare's runs.
type compareRun struct {
	name   string
	result stats.Result
}

// compare runs the load test with simple video consumers, then with simulcast ones (a fresh room and fresh
// clients each, the same flags otherwise), and prints their figures side by side: the cost per forwarded packet
// of a simulcast consumer (layer selection, sequence number, timestamp and picture ID rewriting) beside a simple
// one's, on the same cluster and machine within minutes. Every client negotiates transport-cc (client's
// capabilities), so both runs' viewers get transport-wide sequence numbers and send feedback.
func compare(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	var runs []compareRun
	for _, simulcast := range []bool{false, true} {
		if ctx.Err() != nil {
			break
		}
		c := cfg
		c.Simulcast, c.Compare = simulcast, false
		name := "simple"
		if simulcast {
			name = "simulcast"
		}
		fmt.Fprintf(stdout, "\n=== -compare: %s video consumers ===\n", name)
		r, err := newRunner(c, stdout, stderr)
		if err != nil {
			return err
		}
		if err := r.loadTest(ctx); err != nil {
			return fmt.Errorf("%s run: %w", name, err)
		}
		runs = append(runs, compareRun{name: name, result: r.last})
	}
	printCompare(stdout, runs)
	return nil
}

func printCompare(w io.Writer, runs []compareRun) {
	num := stats.FormatNumber
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "== side by side (one invocation; every viewer on transport-cc) ==")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "consumers\tforwarded pps\tslave CPU s\tpps per CPU-s\tloss %\tjoin p95 ms (cluster)\tfirst packet p95 ms (cluster)")
	for _, r := range runs {
		x := r.result
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s (%s)\t%s (%s)\n", r.name, num(x.ForwardedPPS, 1), num(x.SlaveCPUSeconds, 2),
			num(x.PPSPerCore, 0), num(x.LossPct, 3), num(x.JoinP95Ms, 1), num(x.JoinClusterP95Ms, 1),
			num(x.FirstPacketP95Ms, 1), num(x.FirstPacketClusterP95Ms, 1))
	}
	_ = tw.Flush()
	line := "COMPARE"
	for _, r := range runs {
		line += fmt.Sprintf(" %s_pps_per_core=%s", r.name, num(r.result.PPSPerCore, 0))
	}
	if len(runs) == 2 && runs[0].result.PPSPerCore > 0 {
		line += " simulcast_over_simple=" + num(runs[1].result.PPSPerCore/runs[0].result.PPSPerCore, 3)
	}
	fmt.Fprintln(w, line)
}
