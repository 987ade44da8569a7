package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sfu-cluster/sfu-cluster/client"
)

// The steps of one API-only viewer: a mediasoup-client viewer's placement calls, then its leave.
var apiSteps = []string{"consumer_routers", "consumer_peers", "consume", "resume", "leave"}

// joinSteps is how many of apiSteps make the join (the rest is the leave).
const joinSteps = 4

// apiRecorder collects what the viewers measured. Safe for concurrent use.
type apiRecorder struct {
	mu       sync.Mutex
	steps    [][]time.Duration // by apiSteps index
	joins    []time.Duration   // the four join steps together
	errors   map[string]int    // "step status code" → count
	done     atomic.Int64      // joins that succeeded
	inFlight atomic.Int64
	skipped  atomic.Int64 // rate mode: starts not made because -join-concurrency viewers were in flight
}

func newAPIRecorder() *apiRecorder {
	return &apiRecorder{steps: make([][]time.Duration, len(apiSteps)), errors: map[string]int{}}
}

func (r *apiRecorder) fail(step string, err error) {
	key := step + " " + err.Error()
	if apiErr := (*client.APIError)(nil); errors.As(err, &apiErr) {
		key = fmt.Sprintf("%s %d %s", step, apiErr.Status, apiErr.Code)
	} else if errors.Is(err, context.DeadlineExceeded) {
		key = step + " timeout"
	}
	r.mu.Lock()
	r.errors[key]++
	r.mu.Unlock()
}

// apiViewer joins the room as user through the four calls, recording each step, and with -api-leave leaves
// (logs out) at once; otherwise the viewer stays until the cleanup.
func (r *runner) apiViewer(run context.Context, rec *apiRecorder, user string, i int) {
	api := func(step int) *client.API {
		if r.cfg.APIStickyViewers {
			step = 0
		}
		return r.apis[(i+step)%len(r.apis)]
	}
	ctx, cancel := context.WithTimeout(run, r.cfg.JoinTimeout)
	defer cancel()
	r.mu.Lock()
	r.apiUsers = append(r.apiUsers, user)
	r.mu.Unlock()
	rec.inFlight.Add(1)
	defer rec.inFlight.Add(-1)
	var took [5]time.Duration
	step := func(i int, fn func() error) bool {
		t0 := time.Now()
		err := fn()
		took[i] = time.Since(t0)
		if err != nil {
			if run.Err() == nil { // not the run's interruption
				rec.fail(apiSteps[i], err)
			}
			return false
		}
		return true
	}
	var router client.ConsumerRouter
	var peerID, consumerID string
	ok := step(0, func() (err error) { router, err = api(0).CreateConsumerRouter(ctx, r.roomID, user); return err }) &&
		step(1, func() error {
			info, err := api(1).CreateConsumerPeer(ctx, router.ID, user)
			peerID = info.ID
			return err
		}) &&
		step(2, func() error {
			c, err := api(2).Consume(ctx, peerID, r.producerIDs[0], router.RtpCapabilities)
			consumerID = c.ID
			return err
		}) &&
		step(3, func() error { return api(3).Resume(ctx, peerID, consumerID) })
	if ok {
		rec.done.Add(1)
	}
	left := r.cfg.APILeave && step(4, func() error { return api(4).Logout(ctx, user, r.roomID) })
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if ok {
		var join time.Duration
		for i := range joinSteps {
			rec.steps[i] = append(rec.steps[i], took[i])
			join += took[i]
		}
		rec.joins = append(rec.joins, join)
		if left {
			rec.steps[4] = append(rec.steps[4], took[4])
		}
	}
}

// driveAPI starts viewers until the deadline: -api-rate viewers per second (open loop: a slow master does not
// slow the offer; a start is skipped, and counted, while -join-concurrency viewers are in flight), or, with rate
// 0, -join-concurrency viewers back to back (closed loop). Then it waits for the viewers it started: a join is
// never cut short by the deadline.
func (r *runner) driveAPI(ctx context.Context, rec *apiRecorder, prefix string, deadline time.Time) {
	var wg sync.WaitGroup
	var n atomic.Int64
	viewer := func() (string, int) {
		i := n.Add(1)
		return fmt.Sprintf("lt-%s-%s-%06d", r.runID, prefix, i), int(i)
	}
	open := func() bool { return ctx.Err() == nil && time.Now().Before(deadline) }
	if r.cfg.APIRate <= 0 {
		for range r.cfg.JoinConcurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for open() {
					user, i := viewer()
					r.apiViewer(ctx, rec, user, i)
				}
			}()
		}
		wg.Wait()
		return
	}
	interval := time.Duration(float64(time.Second) / r.cfg.APIRate)
	start := time.Now()
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if !at.Before(deadline) || !sleepUntil(ctx, at) {
			break
		}
		if rec.inFlight.Load() >= int64(r.cfg.JoinConcurrency) {
			rec.skipped.Add(1)
			continue
		}
		wg.Add(1)
		user, i := viewer()
		go func() {
			defer wg.Done()
			r.apiViewer(ctx, rec, user, i)
		}()
	}
	wg.Wait()
}

// apiOnly is the -api-only run: a room with its publishers, a warm-up (the room's consumer routers and pipes get
// made), then viewers joining and leaving for -duration with the cluster's processes' CPU measured around it.
func (r *runner) apiOnly(ctx context.Context) error {
	meter := newClusterMeter(ctx, r)
	if err := r.setUpRoom(ctx); err != nil {
		r.logf("cleanup: %s", r.cleanup())
		return err
	}
	if r.cfg.APIWarmup > 0 {
		r.logf("warming up for %s", r.cfg.APIWarmup)
		r.driveAPI(ctx, newAPIRecorder(), "warm", time.Now().Add(r.cfg.APIWarmup))
	}
	rec := newAPIRecorder()
	before := meter.read()
	t0 := time.Now()
	r.logf("measuring for %s", r.cfg.Duration)
	stopProfile := r.startCPUProfile()
	r.driveAPI(ctx, rec, "view", t0.Add(r.cfg.Duration))
	elapsed := time.Since(t0)
	stopProfile()
	after := meter.read()
	r.logf("cleaning up")
	cleanup := r.logoutAPIUsers()
	cleanup += "; " + r.cleanup()
	printAPIReport(r.stdout, r.cfg, rec, elapsed, meter, before, after, cleanup)
	return nil
}

// logoutAPIUsers logs every API-only viewer out, a few at a time, after the measurement.
func (r *runner) logoutAPIUsers() string {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	r.mu.Lock()
	users := r.apiUsers
	r.mu.Unlock()
	var failed atomic.Int64
	var wg sync.WaitGroup
	next := make(chan string)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range next {
				if err := r.api.Logout(ctx, u, r.roomID); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	for _, u := range users {
		next <- u
	}
	close(next)
	wg.Wait()
	return fmt.Sprintf("logged out %d viewers (%d failed)", len(users)-int(failed.Load()), failed.Load())
}
