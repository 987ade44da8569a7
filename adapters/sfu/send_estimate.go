package sfu

import (
	"sync"
	"sync/atomic"

	"github.com/pion/rtcp"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/bwe"
)

// sendEstimate is a WebRTC transport's downlink estimate: what its consumers may send together. Every packet a
// consumer that negotiated transport-cc sends is stamped with the transport's next transport-wide sequence
// number (hist: lock-free, allocation-free, safe from any goroutine); the browser's transport-cc feedback and
// any REMB it sends, read on the transport's read goroutine, update the estimator under mu. The allocator
// (allocation.go) reads the result from the report loop.
type sendEstimate struct {
	hist bwe.History

	mu      sync.Mutex
	est     *bwe.Estimator
	results []bwe.PacketResult

	bitrate   atomic.Int64 // the last estimate, bit/s
	probeFull atomic.Bool  // the running probe met a full link: the report loop stops it (probeTick)
	feedbacks atomic.Uint64
	reported  atomic.Bool // the viewer sent transport-cc feedback or a REMB

	// the allocation's buffers and the probe (report loop only)
	streams []bwe.Stream
	peaked  []bwe.Stream // streams with their layers' peak rates (bwe.RatePeaks)
	out     []bwe.Layers
	up      []bwe.Layers
	land    []bwe.Layers
	wish    []bwe.Layers
	probe   prober
}

// startProbe tells the estimator that packets sent from start to end are a probe.
func (s *sendEstimate) startProbe(start, end int64) {
	s.mu.Lock()
	s.est.StartProbe(start, end)
	s.probeFull.Store(false)
	s.mu.Unlock()
}

// cutProbe ends the running probe's window at now (it met a full link).
func (s *sendEstimate) cutProbe(now int64) {
	s.mu.Lock()
	s.est.CutProbe(now)
	s.mu.Unlock()
}

// lastProbe is the estimator's last finished probe, once.
func (s *sendEstimate) lastProbe() (bwe.ProbeResult, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.est.LastProbe()
}

func newSendEstimate(initial int) *sendEstimate {
	s := &sendEstimate{est: bwe.NewEstimator(bwe.Config{Initial: initial})}
	s.bitrate.Store(int64(s.est.Estimate(0)))
	return s
}

// onFeedback takes one transport-cc feedback (the transport's read goroutine).
func (s *sendEstimate) onFeedback(fb *rtcp.TransportLayerCC, now int64) {
	s.feedbacks.Add(1)
	s.reported.Store(true)
	s.mu.Lock()
	s.results = bwe.Results(s.results[:0], fb, &s.hist, now)
	s.est.OnFeedback(s.results, now)
	s.bitrate.Store(int64(s.est.Estimate(now)))
	if s.est.ProbeCongested() {
		s.probeFull.Store(true)
	}
	s.mu.Unlock()
}

// onREMB takes a receiver's estimated maximum bitrate.
func (s *sendEstimate) onREMB(bitrate float32, now int64) {
	s.reported.Store(true)
	s.mu.Lock()
	s.est.OnREMB(float64(bitrate), now)
	s.bitrate.Store(int64(s.est.Estimate(now)))
	s.mu.Unlock()
}

// acknowledged is the bitrate the viewer last acknowledged (0 before feedback).
func (s *sendEstimate) acknowledged() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.est.Acknowledged()
}

// landing is the rate a switch down should fit (bwe.Estimator.Landing), false while it is not known yet.
func (s *sendEstimate) landing(now int64) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.est.Landing(now)
}

// congested reports whether a congestion episode is under way (bwe.Estimator.Congested).
func (s *sendEstimate) congested(now int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.est.Congested(now)
}

// capacity is the bottleneck's last measured capacity, 0 when none in the last seconds (bwe.Estimator.Capacity).
func (s *sendEstimate) capacity(now int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.est.Capacity(now)
}

// available is the estimate now (it ages: a REMB stops counting after a while).
func (s *sendEstimate) available(now int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.est.Estimate(now)
	s.bitrate.Store(int64(b))
	return b
}
