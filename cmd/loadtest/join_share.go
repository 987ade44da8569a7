package main

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/proccpu"
	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/stats"
)

// The cluster's share of a join, per subscriber, apart from the clients' own time (their CPU on the same machine
// and Pion's ICE): of the join, the master's handler time on its calls (Server-Timing); of the first packet, that
// plus the wait from the moment the viewer was ready (every consume resumed and its transport's ICE and DTLS up)
// to its first packet: the keyframe request's way to the publisher, the keyframe's way back through the pipe,
// and the forwarding. What it leaves out is the network (loopback here), the clients' side of the calls and of
// ICE and DTLS, and the slaves' side of ICE and DTLS (their CPU for it shows in the join phase's slave CPU).

// clusterFirstPacket is the cluster's share of the subscriber's first packet (false until it has one and its
// transport is up).
func (s *subscriber) clusterFirstPacket() (time.Duration, bool) {
	first, ok := s.firstPacket()
	if !ok || s.sub == nil || s.sub.Transport == nil {
		return 0, false
	}
	tl := s.sub.Transport.Timeline()
	if tl.ConnectedAt.IsZero() {
		return 0, false
	}
	ready := max(s.join, tl.ConnectedAt.Sub(s.start))
	return s.serverTime + max(first-ready, 0), true
}

// joinPhase is what the join phase (first join to the window's opening) cost the machine: the slaves' CPU, this
// process's (the clients'), and the whole machine's busy time (/proc/stat: the master, the database, and anything
// else running here). On a shared 2-core machine the clients' share is what their joins took from the cluster.
type joinPhase struct {
	seconds                         float64
	slaveCPU, clientCPU, machineCPU float64 // CPU-seconds; NaN when unknown
	joins                           int
}

// machineCPU is the machine's busy CPU so far in seconds (NaN when /proc/stat is not readable).
func machineCPU() float64 {
	d, err := proccpu.NewReader().Machine()
	if err != nil {
		return math.NaN()
	}
	return d.Seconds()
}

// phaseBetween is the join phase from the joins' mark to the window's.
func phaseBetween(from, to windowMark, joins int) joinPhase {
	return joinPhase{seconds: to.at.Sub(from.at).Seconds(), slaveCPU: to.cpu - from.cpu,
		clientCPU: (to.clientCPU - from.clientCPU).Seconds(), machineCPU: to.machine - from.machine, joins: joins}
}

func (p joinPhase) print(w io.Writer) {
	if p.seconds <= 0 {
		return
	}
	num := stats.FormatNumber
	cores := func(cpu float64) string { return num(cpu/p.seconds, 2) }
	other := p.machineCPU - p.slaveCPU - p.clientCPU
	fmt.Fprintf(w, "join phase (first join to the window, %s s): CPU-seconds (cores) slaves %s (%s), loadtest clients %s (%s), "+
		"the rest of the machine (master, database, other processes) %s (%s)\n", num(p.seconds, 1),
		num(p.slaveCPU, 2), cores(p.slaveCPU), num(p.clientCPU, 2), cores(p.clientCPU), num(other, 2), cores(other))
	if p.joins > 0 {
		fmt.Fprintf(w, "  per join: slaves %s ms, clients %s ms of CPU\n", num(1000*p.slaveCPU/float64(p.joins), 2),
			num(1000*p.clientCPU/float64(p.joins), 2))
	}
}
