package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/stats"
)

// progress prints one line every interval on stderr while the run goes on: phase, joins, received packet rate
// against the expected one, loss so far, and this process's goroutines and file descriptors (each subscriber is a
// PeerConnection with its own sockets and goroutines, which is what runs out first on a small machine).
type progress struct {
	r     *runner
	phase atomic.Pointer[string]
	begin time.Time
	stop  context.CancelFunc
	done  chan struct{}
}

func startProgress(r *runner) *progress {
	ctx, cancel := context.WithCancel(context.Background())
	p := &progress{r: r, begin: time.Now(), stop: cancel, done: make(chan struct{})}
	p.set("starting")
	if r.cfg.Progress <= 0 {
		close(p.done)
		return p
	}
	go p.loop(ctx)
	return p
}

func (p *progress) set(phase string) { p.phase.Store(&phase) }

func (p *progress) close() {
	p.stop()
	<-p.done
}

func (p *progress) loop(ctx context.Context) {
	defer close(p.done)
	t := time.NewTicker(p.r.cfg.Progress)
	defer t.Stop()
	lastAt, lastRx, lastSent := time.Now(), uint64(0), p.r.packetsSent()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			rx, loss, receiving := p.received()
			started, ok, failed := p.r.joinCounts()
			sent := p.r.packetsSent()
			pps := stats.Rate(float64(rx-min(lastRx, rx)), now.Sub(lastAt))
			sentPPS := stats.Rate(float64(sent-min(lastSent, sent)), now.Sub(lastAt))
			lastAt, lastRx, lastSent = now, rx, sent
			fmt.Fprintf(p.r.stderr, "[%6.1fs] %-8s joins %d/%d (ok %d, failed %d, receiving %d) | sent %s pps, rx %s pps (ok × sent %s) loss %s%% | goroutines %d fds %d\n",
				now.Sub(p.begin).Seconds(), *p.phase.Load(), started, p.r.cfg.Subscribers, ok, failed, receiving,
				stats.FormatNumber(sentPPS, 0), stats.FormatNumber(pps, 0), stats.FormatNumber(float64(ok)*sentPPS, 0),
				stats.FormatNumber(loss.Pct(), 2), runtime.NumGoroutine(), openFDs())
		}
	}
}

// received sums what every joined subscriber got so far: packets, loss by the consumers' own counters, and how
// many subscribers have received anything.
func (p *progress) received() (packets uint64, loss stats.Loss, receiving int) {
	for _, s := range p.r.joined() {
		got := false
		for _, c := range s.sub.Consumers {
			st := c.Stats()
			packets += st.Packets
			loss = loss.Add(stats.Loss{Expected: int64(st.Packets) + st.Lost, Received: int64(st.Packets)})
			got = got || st.Packets > 0
		}
		if got {
			receiving++
		}
	}
	return packets, loss, receiving
}

// openFDs counts this process's file descriptors (-1 without /proc).
func openFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}
