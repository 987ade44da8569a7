package application

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestFlightsShareOneCall: callers of a key that arrive while its call runs wait for it and get its outcome;
// another key runs on its own; after the call ends the next caller runs again.
func TestFlightsShareOneCall(t *testing.T) {
	f := newFlights[string]()
	ctx := context.Background()
	release := make(chan struct{})
	var calls atomic.Int32
	boom := errors.New("boom")
	slow := func(context.Context) error { calls.Add(1); <-release; return boom }

	var wg sync.WaitGroup
	errs := make([]error, 10)
	wg.Add(1)
	go func() { defer wg.Done(); errs[0] = f.do(ctx, "k", slow) }()
	require.Eventually(t, func() bool { return calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	for i := 1; i < len(errs); i++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f.do(ctx, "k", slow) }()
	}
	require.NoError(t, f.do(ctx, "other", func(context.Context) error { return nil }), "another key is not held up")
	// The waiters are parked on the running call (they would have called slow otherwise).
	require.Eventually(t, func() bool { return waiters(f, "k") == len(errs)-1 }, 5*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	require.Equal(t, int32(1), calls.Load(), "one call for all ten")
	for _, err := range errs {
		require.ErrorIs(t, err, boom)
	}
	require.NoError(t, f.do(ctx, "k", func(context.Context) error { return nil }), "a new call once it ended")
}

// waiters is how many callers joined the call of key under way.
func waiters[K comparable](f *flights[K], key K) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl, ok := f.m[key]; ok {
		return fl.waiters
	}
	return -1
}

// TestFlightsCallerGoneIsNotTheAnswer: when the running call ends with its own caller's cancellation, a waiter
// runs the call itself; a waiter whose own context ends stops waiting.
func TestFlightsCallerGoneIsNotTheAnswer(t *testing.T) {
	f := newFlights[string]()
	leaderCtx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	leaderDone := make(chan error, 1)
	go func() {
		leaderDone <- f.do(leaderCtx, "k", func(ctx context.Context) error { close(started); <-ctx.Done(); return ctx.Err() })
	}()
	<-started

	short, cancelShort := context.WithCancel(context.Background())
	shortDone := make(chan error, 1)
	go func() { shortDone <- f.do(short, "k", func(context.Context) error { return nil }) }()
	cancelShort()
	require.ErrorIs(t, <-shortDone, context.Canceled)

	ran := make(chan struct{})
	waiterDone := make(chan error, 1)
	go func() {
		waiterDone <- f.do(context.Background(), "k", func(context.Context) error { close(ran); return nil })
	}()
	require.Eventually(t, func() bool { return waiters(f, "k") == 2 }, 5*time.Second, time.Millisecond,
		"the waiter joined the leader's call (after the short one)")
	cancel()
	require.ErrorIs(t, <-leaderDone, context.Canceled)
	require.NoError(t, <-waiterDone)
	<-ran
}
