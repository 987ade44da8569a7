package sfu

import (
	"time"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
)

// NACK policy towards a producer: ask for a missing packet at most nackMaxTries times, nackRetryInterval apart,
// and give up on it after nackMaxAge (a receiver has moved on by then). A gap wider than nackMaxItems is not
// worth repairing packet by packet: the producer is asked for a keyframe instead.
const (
	nackMaxItems      = 256
	nackMaxTries      = 5
	nackRetryInterval = int64(100 * time.Millisecond)
	nackMaxAge        = int64(time.Second)
)

// nackGenerator tracks the sequence numbers missing from one incoming stream (RFC 4585 §6.2.1 generic NACK).
// Fixed-size, allocation-free; the producer's receive mutex guards it.
type nackGenerator struct {
	started bool
	maxSeq  uint16
	items   [nackMaxItems]nackItem
	n       int
}

type nackItem struct {
	seq      uint16
	created  int64
	lastSent int64
	tries    uint8
}

// onPacket records an arrival. It returns true when the gap is too wide to repair (ask for a keyframe).
func (g *nackGenerator) onPacket(seq uint16, now int64) bool {
	if !g.started {
		g.started, g.maxSeq = true, seq
		return false
	}
	d := rtpx.SeqDiff(seq, g.maxSeq)
	switch {
	case d == 1:
		g.maxSeq = seq
	case d > 1:
		g.maxSeq = seq
		if d-1 > nackMaxItems {
			g.n = 0
			return true
		}
		for s := seq - uint16(d-1); s != seq; s++ { //nolint:gosec // d <= nackMaxItems+1
			if g.n == nackMaxItems {
				g.drop(0)
			}
			g.items[g.n] = nackItem{seq: s, created: now}
			g.n++
		}
	case d < 0:
		for i := range g.n {
			if g.items[i].seq == seq {
				g.drop(i)
				break
			}
		}
	}
	return false
}

func (g *nackGenerator) drop(i int) {
	copy(g.items[i:g.n], g.items[i+1:g.n])
	g.n--
}

// due appends the sequence numbers to NACK now to out, forgets those that are too old or asked too often.
func (g *nackGenerator) due(now int64, out []uint16) []uint16 {
	kept := 0
	for i := range g.n {
		it := g.items[i]
		if now-it.created > nackMaxAge || it.tries >= nackMaxTries {
			continue
		}
		if it.tries == 0 || now-it.lastSent >= nackRetryInterval {
			it.tries++
			it.lastSent = now
			out = append(out, it.seq)
		}
		g.items[kept] = it
		kept++
	}
	g.n = kept
	return out
}
