package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"time"
)

// loadTest runs the phases: room and publishers, joins at the rate, settling, the measurement window, then summary
// and cleanup. Interrupted (ctx ended) at any point, it skips to the summary with what it has.
func (r *runner) loadTest(ctx context.Context) error {
	prog := startProgress(r)
	defer prog.close()

	meter, err := chooseCPUMeter(ctx, r.cfg, r.lister)
	cpuMethod := "none"
	if err != nil {
		r.logf("slave CPU will not be measured: %v", err)
		cpuMethod = fmt.Sprintf("none (%v)", err)
	} else {
		defer meter.close()
	}

	prog.set("publish")
	if err := r.setUpRoom(ctx); err != nil && ctx.Err() == nil {
		r.logf("cleanup: %s", r.cleanup())
		return err
	}
	start, note := r.measure(ctx, prog, meter)
	if meter != nil {
		cpuMethod = meter.method()
	}
	sum := r.summarize(start, meter, cpuMethod, note)

	prog.set("cleanup")
	r.logf("cleaning up")
	sum.cleanup = r.cleanup()
	prog.close()
	sum.print(r.stdout)
	r.last = sum.result
	return nil
}

// measure joins the subscribers, lets them settle, and holds the window open for cfg.Duration. It returns the
// window's opening mark and a note when the window is not the normal one.
func (r *runner) measure(ctx context.Context, prog *progress, meter cpuMeter) (windowMark, string) {
	joinMark := markWindow(ctx, meter, nil, true)
	joinMark.sent, joinMark.layers = r.packetsSent(), r.layersSent()
	var notes []string
	r.timing = r.readClusterTiming(ctx, r.hc)
	if ctx.Err() == nil {
		prog.set("joining")
		r.logf("%d subscriber(s) joining at %g/s", r.cfg.Subscribers, r.cfg.JoinRate)
		r.joinAll(ctx)
	}
	if ctx.Err() == nil {
		prog.set("settle")
		if n := r.settle(ctx); n > 0 {
			notes = append(notes, fmt.Sprintf("opened with %d consumer(s) still without media after -settle %s", n, r.cfg.Settle))
			r.logf("%s", notes[0])
		}
	}
	if ctx.Err() != nil {
		// The window never opened: count the join phase instead, every packet of every consumer.
		start := joinMark
		start.consumers = markWindow(ctx, nil, r.joined(), true).consumers
		return start, "interrupted before the window opened: figures cover the join phase, every packet counted"
	}
	prog.set("measure")
	start := markWindow(ctx, meter, r.joined(), false)
	r.phase = phaseBetween(joinMark, start, len(r.joined()))
	start.sent, start.layers = r.packetsSent(), r.layersSent()
	r.logf("measuring for %s", r.cfg.Duration)
	stopProfile := r.startCPUProfile()
	defer stopProfile()
	if !sleepUntil(ctx, start.at.Add(r.cfg.Duration)) {
		notes = append(notes, fmt.Sprintf("interrupted after %.1fs of the %s window", time.Since(start.at).Seconds(), r.cfg.Duration))
	}
	return start, strings.Join(notes, "; ")
}

// settle waits until every joined consumer has received a packet, at most cfg.Settle; it returns how many had not.
func (r *runner) settle(ctx context.Context) int {
	deadline := time.Now().Add(r.cfg.Settle)
	for {
		waiting := 0
		for _, s := range r.joined() {
			for _, c := range s.sub.Consumers {
				if c.Stats().Packets == 0 {
					waiting++
				}
			}
		}
		if waiting == 0 || !time.Now().Before(deadline) || !sleepUntil(ctx, time.Now().Add(20*time.Millisecond)) {
			return waiting
		}
	}
}

// startCPUProfile profiles this process (the clients) when -cpuprofile is set; the returned func stops it.
func (r *runner) startCPUProfile() func() {
	if r.cfg.CPUProfile == "" {
		return func() {}
	}
	f, err := os.Create(r.cfg.CPUProfile)
	if err != nil {
		r.logf("cpuprofile: %v", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		r.logf("cpuprofile: %v", err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			r.logf("cpuprofile: %v", err)
		}
	}
}
