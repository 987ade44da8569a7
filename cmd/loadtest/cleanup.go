package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	cleanupTimeout  = 60 * time.Second
	cleanupParallel = 16
)

// cleanup logs out every user the run created (which closes their peers on the slaves), closes the local
// transports, and deletes the room. It runs on its own context: an interrupted run still cleans up.
func (r *runner) cleanup() string {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	users := append([]string(nil), r.pubUsers...)
	var closers []func() error
	r.mu.Lock()
	for _, s := range r.subs {
		users = append(users, s.userID)
		if s.sub != nil {
			closers = append(closers, s.sub.Close)
		}
	}
	for _, p := range r.publishers {
		closers = append(closers, p.Close)
	}
	r.mu.Unlock()

	var logoutErrs []error
	if r.roomID != "" {
		var mu sync.Mutex
		parallel(len(users), func(i int) {
			if err := r.api.Logout(ctx, users[i], r.roomID); err != nil {
				mu.Lock()
				logoutErrs = append(logoutErrs, fmt.Errorf("logout %s: %w", users[i], err))
				mu.Unlock()
			}
		})
	}
	var closeFailed atomic.Int64
	parallel(len(closers), func(i int) {
		if err := closers[i](); err != nil {
			closeFailed.Add(1)
		}
	})
	var b strings.Builder
	fmt.Fprintf(&b, "logged out %d/%d users", len(users)-len(logoutErrs), len(users))
	if len(logoutErrs) > 0 {
		fmt.Fprintf(&b, " (first error: %v)", logoutErrs[0])
	}
	fmt.Fprintf(&b, ", closed %d transports", len(closers))
	if n := closeFailed.Load(); n > 0 {
		fmt.Fprintf(&b, " (%d with an error)", n)
	}
	if r.roomID != "" {
		if err := r.deleteRoom(ctx); err != nil {
			fmt.Fprintf(&b, ", room %s left: %v", r.roomID, err)
		} else {
			fmt.Fprintf(&b, ", room %s deleted", r.roomID)
		}
	}
	return b.String()
}

// deleteRoom retries a little: a peer closed from the media side may still be on its way to the master.
func (r *runner) deleteRoom(ctx context.Context) error {
	var err error
	for range 5 {
		if err = r.api.DeleteRoom(ctx, r.roomID); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
	return err
}

// parallel runs f(0..n-1) on at most cleanupParallel goroutines.
func parallel(n int, f func(i int)) {
	sem := make(chan struct{}, cleanupParallel)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}
