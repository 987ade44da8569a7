package stats

import (
	"math"
	"slices"
)

// Loss counts RTP packets expected and received on one or more streams.
type Loss struct {
	Expected int64 // sequence numbers spanned
	Received int64 // distinct sequence numbers that arrived
}

// Lost is how many expected packets never arrived.
func (l Loss) Lost() int64 { return max(0, l.Expected-l.Received) }

// Pct is Lost as a percentage of Expected; NaN when nothing was expected.
func (l Loss) Pct() float64 {
	if l.Expected <= 0 {
		return math.NaN()
	}
	return 100 * float64(l.Lost()) / float64(l.Expected)
}

// Add sums two counts (streams are independent, so their totals add).
func (l Loss) Add(o Loss) Loss {
	return Loss{Expected: l.Expected + o.Expected, Received: l.Received + o.Received}
}

// SeqLoss counts loss on one stream from its 16-bit sequence numbers in arrival order: expected is the span from
// the lowest to the highest extended sequence number, received the distinct numbers seen (a duplicate, e.g. a
// retransmission that raced the original, is one packet). Numbers are extended against the highest seen so far,
// as RFC 3550 appendix A.1 does, so the stream may wrap past 65535 and arrive out of order by up to 32767.
func SeqLoss(seqs []uint16) Loss {
	if len(seqs) == 0 {
		return Loss{}
	}
	ext := extend(seqs)
	lo, hi := slices.Min(ext), slices.Max(ext)
	slices.Sort(ext)
	distinct := len(slices.Compact(ext))
	return Loss{Expected: hi - lo + 1, Received: int64(distinct)}
}

// WindowLoss counts loss on the packets that arrived from index from on (a measurement window). The packet before
// the window anchors it, so that packets lost between the window's opening and its first arrival count too; the
// anchor itself is not counted.
func WindowLoss(seqs []uint16, from int) Loss {
	if from <= 0 {
		return SeqLoss(seqs)
	}
	if from >= len(seqs) {
		return Loss{}
	}
	l := SeqLoss(seqs[from-1:])
	return Loss{Expected: max(0, l.Expected-1), Received: max(0, l.Received-1)}
}

// extend maps 16-bit sequence numbers to int64s that keep counting across wraps.
func extend(seqs []uint16) []int64 {
	ext := make([]int64, len(seqs))
	high := int64(seqs[0])
	for i, s := range seqs {
		// int16 of the 16-bit difference is the shortest signed distance from the highest number seen.
		e := high + int64(int16(s-uint16(high)))
		ext[i] = e
		high = max(high, e)
	}
	return ext
}
