package testpeer

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Stall holds a TCP peer's reads, as a viewer that stopped reading, and watches the sender that must not wait
// for it: the sender calls Progress after each send, and when none comes for the watch period (a sender blocked
// on the stalled reader) the test fails and the peer reads again, so the blocked sender returns and the test ends
// with that failure rather than hangs. Wall-clock time per send is not the measure: a starved host deschedules a
// sender for longer than any honest bound, while a sender that waits for this reader waits until Release.
type Stall struct {
	tb       testing.TB
	hold     chan struct{}
	release  sync.Once
	progress atomic.Uint64
	stop     chan struct{}
	done     chan struct{}
}

// StallWatched stalls p's reads until the test ends, failing tb if no Progress comes for period.
func StallWatched(tb testing.TB, p *Peer, period time.Duration) *Stall {
	tb.Helper()
	s := &Stall{tb: tb, hold: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	p.StallReads(s.hold)
	go s.watch(period)
	tb.Cleanup(func() {
		close(s.stop)
		<-s.done
		s.Release()
	})
	return s
}

// Progress records that one send returned.
func (s *Stall) Progress() { s.progress.Add(1) }

// Release lets the peer read again. Idempotent.
func (s *Stall) Release() { s.release.Do(func() { close(s.hold) }) }

func (s *Stall) watch(period time.Duration) {
	defer close(s.done)
	tick := time.NewTicker(period)
	defer tick.Stop()
	last := s.progress.Load()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			now := s.progress.Load()
			if now == last {
				s.tb.Errorf("no send returned for %s: the sender waits for the stalled reader", period)
				s.Release()
				return
			}
			last = now
		}
	}
}
