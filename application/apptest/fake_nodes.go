package apptest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// FakeNodes is an SFUNodes that hands out one FakeNode per slave id, made on first use.
type FakeNodes struct {
	mu    sync.Mutex
	nodes map[string]*FakeNode
}

// NewFakeNodes returns an empty dialer.
func NewFakeNodes() *FakeNodes { return &FakeNodes{nodes: map[string]*FakeNode{}} }

// Node implements application.SFUNodes.
func (f *FakeNodes) Node(s domain.Slave) application.SFUNode { return f.Get(s.ID) }

// Get returns the fake of a slave id.
func (f *FakeNodes) Get(slaveID string) *FakeNode {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := f.nodes[slaveID]
	if !ok {
		n = NewFakeNode()
		f.nodes[slaveID] = n
	}
	return n
}

// Open lists the open objects of every node, prefixed with the slave id.
func (f *FakeNodes) Open() []string {
	f.mu.Lock()
	nodes := make(map[string]*FakeNode, len(f.nodes))
	for k, v := range f.nodes {
		nodes[k] = v
	}
	f.mu.Unlock()
	var out []string
	for id, n := range nodes {
		for _, o := range n.Open() {
			out = append(out, id+"/"+o)
		}
	}
	return out
}

// SeqIDs makes ids "id-1", "id-2", ...
type SeqIDs struct{ n atomic.Int64 }

// NewID implements application.IDGenerator.
func (s *SeqIDs) NewID() string { return fmt.Sprintf("id-%d", s.n.Add(1)) }

// FixedClock is a settable clock.
type FixedClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFixedClock starts at t.
func NewFixedClock(t time.Time) *FixedClock { return &FixedClock{now: t} }

// Now implements application.Clock.
func (c *FixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *FixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
