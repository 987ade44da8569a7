package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// heartbeatIntegrator turns the slaves' heartbeats into CPU-seconds: each heartbeat carries the fraction of one
// core its process used since the previous one, so fraction × (time between the two heartbeats) is the CPU spent.
// The first heartbeat seen of a slave only sets its start.
type heartbeatIntegrator struct {
	lastSeen map[string]time.Time
	seconds  float64
}

func newHeartbeatIntegrator() *heartbeatIntegrator {
	return &heartbeatIntegrator{lastSeen: map[string]time.Time{}}
}

// observe takes one GET /slaves answer; a slave whose lastSeenAt did not move adds nothing.
func (h *heartbeatIntegrator) observe(slaves []slaveView) {
	for _, s := range slaves {
		prev, known := h.lastSeen[s.ID]
		if !s.LastSeenAt.After(prev) {
			continue
		}
		h.lastSeen[s.ID] = s.LastSeenAt
		if known && s.Load.CPU > 0 {
			h.seconds += s.Load.CPU * s.LastSeenAt.Sub(prev).Seconds()
		}
	}
}

// heartbeatMeter polls GET /slaves and integrates. It lags by up to one heartbeat interval (2 s by default) and
// counts each slave's whole process: slaves sharing one process (cmd/cluster) are each credited that process's CPU.
type heartbeatMeter struct {
	why    string
	mu     sync.Mutex
	integ  *heartbeatIntegrator
	lastEr error
	stop   context.CancelFunc
	done   chan struct{}
}

// heartbeatPoll is faster than the heartbeat so that no heartbeat is missed.
const heartbeatPoll = 500 * time.Millisecond

func startHeartbeatMeter(ctx context.Context, lister slaveLister, why string) *heartbeatMeter {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m := &heartbeatMeter{why: why, integ: newHeartbeatIntegrator(), stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		t := time.NewTicker(heartbeatPoll)
		defer t.Stop()
		for {
			slaves, err := lister.list(ctx)
			m.mu.Lock()
			if err == nil {
				m.integ.observe(slaves)
			} else if ctx.Err() == nil {
				m.lastEr = err
			}
			m.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *heartbeatMeter) total(context.Context) (float64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.integ.seconds, nil
}

func (m *heartbeatMeter) method() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := fmt.Sprintf("integral of GET /slaves load.cpu over heartbeats (±1 heartbeat; each slave reports its whole "+
		"process, so slaves sharing a process are counted once each); /proc not used: %s", m.why)
	if m.lastEr != nil {
		s += fmt.Sprintf("; last poll error: %v", m.lastEr)
	}
	return s
}

func (*heartbeatMeter) processes() []int { return nil }

func (m *heartbeatMeter) close() {
	m.stop()
	<-m.done
}
