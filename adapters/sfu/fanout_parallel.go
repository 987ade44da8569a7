package sfu

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelFanoutMin is the fan-out size from which a packet's consumers are shared with the node's fan-out
// workers. One consumer costs ~4 µs of CPU (rewrite, SRTP, its share of sendmmsg, the loopback delivery), so one
// goroutine forwarding one stream tops out near 250 × 1000 packets per second: 1000 subscribers of a 150 pps
// stream need more than a core. Below this size a worker's wakeup (a few µs) is not worth it.
const parallelFanoutMin = 128

// fanoutPool runs parts of large fan-outs on other cores. It has GOMAXPROCS-1 workers: the producer's own read
// goroutine does one part itself. A part is handed over only if a worker is idle right now (the send never
// blocks): under full load the reader does the rest itself, so a busy pool adds no queueing, only what idle
// cores can take.
//
// Order: a fan-out waits for all its parts before its producer reads the next packet, so each consumer still
// sees its packets one at a time and in order, and the packet (valid only during receive) outlives the parts.
type fanoutPool struct {
	jobs chan *fanoutPart
	quit chan struct{}
	wg   sync.WaitGroup
	n    int
	// handed counts the parts workers took (the rest ran on the readers): how much the pool is used.
	handed atomic.Uint64
}

// fanoutPart is a contiguous share of one fan-out's consumers. Each producer keeps its parts (receive runs
// under the producer's rxMu, one fan-out at a time), so handing one over allocates nothing.
type fanoutPart struct {
	consumers []*consumer
	in        *inbound
	now       int64
	src       batchSource
	done      *sync.WaitGroup
}

// newFanoutPool starts workers goroutines; nil when there is no other core to use.
func newFanoutPool(workers int) *fanoutPool {
	if workers <= 0 {
		return nil
	}
	p := &fanoutPool{jobs: make(chan *fanoutPart), quit: make(chan struct{}), n: workers}
	p.wg.Add(workers)
	for range workers {
		go p.work()
	}
	return p
}

// defaultFanoutWorkers leaves one core to the goroutine that reads the stream.
func defaultFanoutWorkers() int { return runtime.GOMAXPROCS(0) - 1 }

func (p *fanoutPool) work() {
	defer p.wg.Done()
	for {
		select {
		case part := <-p.jobs:
			part.run()
		case <-p.quit:
			return
		}
	}
}

// close stops the workers and waits for them. Fan-outs still running afterwards do every part themselves.
func (p *fanoutPool) close() {
	if p == nil {
		return
	}
	close(p.quit)
	p.wg.Wait()
}

// tryHand gives part to an idle worker; false when none is idle (or the pool is closed).
func (p *fanoutPool) tryHand(part *fanoutPart) bool {
	select {
	case <-p.quit:
		return false
	default:
	}
	select {
	case p.jobs <- part:
		p.handed.Add(1)
		return true
	default:
		return false
	}
}

func (f *fanoutPart) run() {
	forwardAll(f.consumers, f.in, f.now, f.src)
	f.done.Done()
}

// forwardAll is one goroutine's share of a fan-out: the consumers in order, their WebRTC sends batched.
func forwardAll(consumers []*consumer, in *inbound, now int64, src batchSource) {
	fo := fanout{src: src}
	for _, c := range consumers {
		c.forward(in, now, &fo)
	}
	fo.finish()
}

// fanOut forwards pkt to consumers: on this goroutine alone for a small fan-out or without a pool, else split
// into parts, each idle worker taking one and this goroutine the rest. It returns when every consumer is done.
func (p *producer) fanOut(consumers []*consumer, in *inbound, now int64) {
	pool := p.pool
	if pool == nil || len(consumers) < parallelFanoutMin {
		forwardAll(consumers, in, now, p.batches)
		return
	}
	parts := min(pool.n+1, len(p.parts)+1)
	size := (len(consumers) + parts - 1) / parts
	// Part 0 is ours; the others go to idle workers, and whatever no worker took we do after part 0.
	var mine [len(fanoutParts{})]bool
	for i := 1; i < parts; i++ {
		lo, hi := i*size, min((i+1)*size, len(consumers))
		if lo >= hi {
			break
		}
		part := &p.parts[i-1]
		*part = fanoutPart{consumers: consumers[lo:hi], in: in, now: now, src: p.batches, done: &p.partsDone}
		p.partsDone.Add(1)
		if !pool.tryHand(part) {
			mine[i-1] = true
		}
	}
	own := fanoutPart{consumers: consumers[:min(size, len(consumers))], in: in, now: now, src: p.batches, done: &p.partsDone}
	p.partsDone.Add(1)
	own.run()
	for i := range mine {
		if mine[i] {
			p.parts[i].run()
		}
	}
	p.partsDone.Wait()
	for i := range p.parts { // keep no consumer or packet alive between packets
		p.parts[i] = fanoutPart{}
	}
}

// fanoutParts bounds the parts handed to workers per fan-out (and so the workers one stream can use).
type fanoutParts [7]fanoutPart
