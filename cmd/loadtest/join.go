package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sfu-cluster/sfu-cluster/client"
)

// joinAll starts the subscribers at cfg.JoinRate per second, with at most cfg.JoinConcurrency joins in flight, and
// returns when every join has ended. When ctx ends it starts no more and waits for the joins in flight (they end
// with ctx).
func (r *runner) joinAll(ctx context.Context) {
	var interval time.Duration
	if r.cfg.JoinRate > 0 {
		interval = time.Duration(float64(time.Second) / r.cfg.JoinRate)
	}
	sem := make(chan struct{}, r.cfg.JoinConcurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	next := time.Now()
	for i := range r.cfg.Subscribers {
		if !sleepUntil(ctx, next) {
			return
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		// A schedule held back by the concurrency limit resumes at the rate, without a burst to catch up.
		next = later(next, time.Now()).Add(interval)
		s := &subscriber{userID: fmt.Sprintf("lt-%s-sub-%05d", r.runID, i), layer: i % len(client.DemoSimulcastEncodings)}
		r.mu.Lock()
		r.subs = append(r.subs, s)
		r.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r.join(ctx, s)
		}()
	}
}

// join runs one subscriber's flow: consumer router, consumer peer, then consume + renegotiate + resume for every
// producer (client.Subscribe). The join time ends when the last resume answered.
func (r *runner) join(ctx context.Context, s *subscriber) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.JoinTimeout)
	defer cancel()
	var server client.ServerTime
	ctx = client.WithServerTime(ctx, &server)
	start := time.Now()
	sub, err := client.Subscribe(ctx, r.api, r.roomID, s.userID, r.producerIDs, r.opts...)
	if err == nil && r.cfg.Simulcast {
		err = r.preferLayer(ctx, sub, s.layer)
	}
	end := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	s.start, s.join, s.done, s.err, s.sub = start, end.Sub(start), true, err, sub
	s.serverTime, s.serverCalls = server.Total()
}

// firstPacket is the time from the subscriber's first API call to its first RTP packet; ok is false when none came.
func (s *subscriber) firstPacket() (time.Duration, bool) {
	var first time.Time
	for _, c := range s.sub.Consumers {
		if at := c.Stats().FirstPacketAt; !at.IsZero() && (first.IsZero() || at.Before(first)) {
			first = at
		}
	}
	if first.IsZero() {
		return 0, false
	}
	return first.Sub(s.start), true
}

// sleepUntil waits until t; false when ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
