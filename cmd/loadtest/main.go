// Command loadtest drives a running cluster through the master's public API with Go WebRTC clients: publishers
// send synthetic Opus and VP8, subscribers join at a given rate and receive everything, and the tool reports join
// and first-packet latencies, loss, forwarded packets per second and the slaves' CPU. The last line of its output
// is machine-readable:
//
//	RESULT join_p50_ms=… join_p95_ms=… first_packet_p50_ms=… first_packet_p95_ms=… loss_pct=… forwarded_pps=… slave_cpu_s=… pps_per_core=…
//
// With -seed-only it only creates a room holding the publishers, prints "SEED room_id=<id> …" and keeps them alive
// until interrupted (scripts/bench-api.sh seeds the master's API benchmark that way).
//
// The slaves' CPU is read from /proc for the processes listening on their API ports (listed by the master's
// GET /slaves, which needs the cluster secret: -secret or $CLUSTER_SECRET; cmd/cluster makes a random one when
// CLUSTER_SECRET is unset, so set it), or for -slave-pids; otherwise it is integrated from the slaves' heartbeats.
//
// With -data it measures data channels instead: each publisher sends -data-rate messages a second on one reliable,
// ordered data producer, every subscriber reads every publisher through its consumer router (across the pipes), and
// the last line is "RESULT data_sent=… data_received=… data_loss_pct=… data_reordered=… data_latency_p50_ms=… …".
//
// With -compare it runs the load test twice, simple video consumers then simulcast ones, and ends with both
// runs' forwarded packets per CPU-second side by side and a "COMPARE simple_pps_per_core=… …" line.
//
// Ctrl-C (or SIGTERM) stops early: the summary is still printed and every user is logged out.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is main without the process exit: 0 done, 1 failed, 2 bad flags.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		// A second Ctrl-C kills the process the default way, should the cleanup hang.
		stop()
	}()
	if cfg.Compare {
		if err := compare(ctx, cfg, stdout, stderr); err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 1
		}
		return 0
	}
	r, err := newRunner(cfg, stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}
	switch {
	case cfg.SeedOnly:
		err = r.seed(ctx)
	case cfg.APIOnly:
		err = r.apiOnly(ctx)
	case cfg.Data:
		err = r.dataTest(ctx)
	default:
		err = r.loadTest(ctx)
	}
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}
	return 0
}
