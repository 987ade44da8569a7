package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/stats"
)

func TestPrintCompare(t *testing.T) {
	var out bytes.Buffer
	printCompare(&out, []compareRun{
		{"simple", stats.Result{ForwardedPPS: 100000, SlaveCPUSeconds: 10, PPSPerCore: 200000, JoinP95Ms: 900, JoinClusterP95Ms: 40}},
		{"simulcast", stats.Result{ForwardedPPS: 50000, SlaveCPUSeconds: 6, PPSPerCore: 150000}},
	})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Contains(t, out.String(), "900.0 (40.0)", "the join p95 with the cluster's share")
	require.Regexp(t, `^simple\s+100000.0\s+10.00\s+200000\s`, lines[2])
	require.Equal(t, "COMPARE simple_pps_per_core=200000 simulcast_pps_per_core=150000 simulcast_over_simple=0.750",
		lines[len(lines)-1])
}

// The join phase's CPU splits into the slaves', the clients' (this process) and the rest of the machine's.
func TestJoinPhaseCPU(t *testing.T) {
	at := time.Now()
	from := windowMark{at: at, cpu: 1, clientCPU: 2 * time.Second, machine: 10}
	to := windowMark{at: at.Add(4 * time.Second), cpu: 3, clientCPU: 5 * time.Second, machine: 17}
	p := phaseBetween(from, to, 200)
	require.InDelta(t, 4, p.seconds, 1e-9)
	var out bytes.Buffer
	p.print(&out)
	require.Contains(t, out.String(), "slaves 2.00 (0.50), loadtest clients 3.00 (0.75), the rest of the machine (master, database, other processes) 2.00 (0.50)")
	require.Contains(t, out.String(), "per join: slaves 10.00 ms, clients 15.00 ms")

	unknown := phaseBetween(windowMark{at: at, cpu: math.NaN(), machine: math.NaN()}, to, 0)
	out.Reset()
	unknown.print(&out)
	require.Contains(t, out.String(), "slaves NaN")
}
