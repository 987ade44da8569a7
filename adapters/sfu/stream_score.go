package sfu

import "math"

// streamScore rates how well a stream arrives, 0–10, as mediasoup's RtpStream score does: each report interval
// scores its delivered ratio to the 4th power (1 % loss ≈ 9.6, 5 % ≈ 8.1, 20 % ≈ 4.1), less one point per 30 ms
// of jitter beyond 30 ms, and the score is a weighted average of the last scoreHistory intervals, recent ones
// weighing most, so one bad second lowers it and a steady loss keeps it low. An interval that expected no packet
// (a paused or silent sender) leaves it as it was. Not safe for concurrent use: its owner's lock guards it.
type streamScore struct {
	history [scoreHistory]uint8
	n       int // intervals recorded, up to scoreHistory
	next    int
	value   uint8
}

const scoreHistory = 8

// update records one interval: packets expected and received, and the jitter in milliseconds.
func (s *streamScore) update(expected, received uint32, jitterMs float64) uint8 {
	if expected == 0 {
		return s.current()
	}
	delivered := min(float64(received)/float64(expected), 1)
	score := math.Round(math.Pow(delivered, 4) * 10)
	if jitterMs > 30 {
		score -= math.Floor((jitterMs - 30) / 30)
	}
	s.history[s.next] = uint8(max(min(score, 10), 0))
	s.next = (s.next + 1) % scoreHistory
	s.n = min(s.n+1, scoreHistory)
	var sum, weights float64
	for i := range s.n { // i = 0 is the latest interval
		idx := (s.next - 1 - i + 2*scoreHistory) % scoreHistory
		w := float64(scoreHistory - i)
		sum += w * float64(s.history[idx])
		weights += w
	}
	s.value = uint8(math.Round(sum / weights))
	return s.value
}

// current is the score now: 10 before any interval was rated (mediasoup starts streams at 10 too).
func (s *streamScore) current() uint8 {
	if s.n == 0 {
		return 10
	}
	return s.value
}
