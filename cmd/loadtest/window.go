package main

import (
	"context"
	"math"
	"os"
	"syscall"
	"time"

	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/proccpu"
	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/stats"
)

// recordedSeqsCap is how many sequence numbers a client.Consumer keeps (its maxRecordedSeqs). Beyond it, loss
// falls back to the consumer's own counters.
const recordedSeqsCap = 1 << 16

// consumerMark is a consumer's counters when the window opened.
type consumerMark struct {
	c       *client.Consumer
	packets uint64
	lost    int64
}

// windowMark is the state when the measurement window opened.
type windowMark struct {
	at        time.Time
	cpu       float64 // the meter's reading; NaN when it failed
	clientCPU time.Duration
	machine   float64  // the machine's busy CPU-seconds (join_share.go; NaN when unknown)
	sent      uint64   // packets the publishers' sources had sent (without simulcast layers)
	layers    []uint64 // packets the publishers' simulcast layers had sent, by layer (nil without -simulcast)
	consumers []consumerMark
	drops     udpDrops
}

// udpDrops is what the kernel dropped so far on full receive buffers: on the slaves' UDP sockets (their media
// socket, pipes) and on this process's (the clients'). It tells SFU-side from client-side loss.
type udpDrops struct {
	slaves, clients             uint64
	slaveSockets, clientSockets int
	slavesKnown, clientsKnown   bool
}

func readDrops(meter cpuMeter) udpDrops {
	var d udpDrops
	r := proccpu.NewReader()
	var err error
	if meter != nil && len(meter.processes()) > 0 {
		d.slaves, d.slaveSockets, err = r.UDPDrops(meter.processes())
		d.slavesKnown = err == nil
	}
	d.clients, d.clientSockets, err = r.UDPDrops([]int{os.Getpid()})
	d.clientsKnown = err == nil
	return d
}

// since is the drops between an earlier reading and this one.
func (d udpDrops) since(before udpDrops) udpDrops {
	out := d
	out.slavesKnown = d.slavesKnown && before.slavesKnown
	out.clientsKnown = d.clientsKnown && before.clientsKnown
	out.slaves -= min(before.slaves, d.slaves)
	out.clients -= min(before.clients, d.clients)
	return out
}

// markWindow reads every joined consumer's counters, the slaves' CPU and this process's CPU. With fromZero the
// consumers are marked as if nothing had arrived yet (a window that never opened counts everything).
func markWindow(ctx context.Context, meter cpuMeter, subs []*subscriber, fromZero bool) windowMark {
	m := windowMark{at: time.Now(), cpu: readCPU(ctx, meter), clientCPU: processCPU(), machine: machineCPU(),
		drops: readDrops(meter)}
	for _, s := range subs {
		for _, c := range s.sub.Consumers {
			cm := consumerMark{c: c}
			if !fromZero {
				st := c.Stats()
				cm.packets, cm.lost = st.Packets, st.Lost
			}
			m.consumers = append(m.consumers, cm)
		}
	}
	return m
}

func readCPU(ctx context.Context, meter cpuMeter) float64 {
	if meter == nil {
		return math.NaN()
	}
	v, err := meter.total(ctx)
	if err != nil {
		return math.NaN()
	}
	return v
}

// windowCounts is what the consumers received in the window.
type windowCounts struct {
	packets   uint64
	loss      stats.Loss
	truncated int // consumers whose loss came from their counters (sequence record full)
}

// countWindow reads every marked consumer now.
func countWindow(start windowMark) windowCounts {
	var w windowCounts
	for _, m := range start.consumers {
		// Sequence numbers first: the stats read after cover at least as many packets.
		seqs := m.c.SequenceNumbers()
		packets, loss, exact := consumerWindow(seqs, m.c.Stats(), m)
		w.packets += packets
		w.loss = w.loss.Add(loss)
		if !exact {
			w.truncated++
		}
	}
	return w
}

// consumerWindow is one consumer's packets and loss since its mark. Loss comes from the sequence numbers that
// arrived in the window (gaps, wraps, reordering handled by stats.WindowLoss) while they were all recorded;
// otherwise (exact false) from the consumer's own counters, which count the same gaps but over its whole life.
func consumerWindow(seqs []uint16, now client.ConsumerStats, m consumerMark) (packets uint64, loss stats.Loss, exact bool) {
	packets = now.Packets - min(m.packets, now.Packets)
	if len(seqs) < recordedSeqsCap {
		return packets, stats.WindowLoss(seqs, int(min(m.packets, uint64(len(seqs))))), true
	}
	lost := max(0, now.Lost-m.lost)
	return packets, stats.Loss{Expected: int64(packets) + lost, Received: int64(packets)}, false
}

// processCPU is this process's CPU so far (the clients' side of the cost).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
