package postgres

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// gatedQuery is a fake query: call n returns n once its gate opens.
type gatedQuery struct {
	calls   atomic.Int32
	started chan int // receives n when call n starts
	gates   sync.Map // n -> chan struct{}
	err     error
}

func newGatedQuery() *gatedQuery { return &gatedQuery{started: make(chan int, 16)} }

func (q *gatedQuery) gate(n int) chan struct{} {
	g, _ := q.gates.LoadOrStore(n, make(chan struct{}))
	return g.(chan struct{})
}

func (q *gatedQuery) fn(context.Context) (int, error) {
	n := int(q.calls.Add(1))
	q.started <- n
	<-q.gate(n)
	return n, q.err
}

// waitMembers waits until n callers wait for the next batch of key.
func waitMembers(t *testing.T, c *coalescer[string, int], key string, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.next[key] != nil && c.next[key].members == n
	}, 5*time.Second, time.Millisecond)
}

func waitStarted(t *testing.T, q *gatedQuery, want int) {
	t.Helper()
	select {
	case n := <-q.started:
		require.Equal(t, want, n)
	case <-time.After(5 * time.Second):
		t.Fatalf("query %d did not start", want)
	}
}

func TestCoalescer(t *testing.T) {
	ctx := context.Background()

	t.Run("an idle key runs the caller's own query", func(t *testing.T) {
		c, q := newCoalescer[string, int](), newGatedQuery()
		for want := 1; want <= 3; want++ {
			close(q.gate(want))
			v, err := c.do(ctx, "k", q.fn)
			require.NoError(t, err)
			require.Equal(t, want, v)
			<-q.started
		}
	})

	t.Run("readers arriving during a query share the next one, never the running one", func(t *testing.T) {
		c, q := newCoalescer[string, int](), newGatedQuery()
		first := make(chan int)
		go func() {
			v, _ := c.do(ctx, "k", q.fn)
			first <- v
		}()
		waitStarted(t, q, 1)
		const readers = 8
		results := make(chan int, readers)
		for range readers {
			go func() {
				v, err := c.do(ctx, "k", q.fn)
				require.NoError(t, err)
				results <- v
			}()
		}
		waitMembers(t, c, "k", readers)
		close(q.gate(1))
		require.Equal(t, 1, <-first)
		waitStarted(t, q, 2)
		close(q.gate(2))
		for range readers {
			require.Equal(t, 2, <-results, "a reader got the result of a query that started before it arrived")
		}
		require.Equal(t, int32(2), q.calls.Load(), "one query for the whole batch")
		require.Eventually(t, func() bool {
			c.mu.Lock()
			defer c.mu.Unlock()
			return len(c.running) == 0 && len(c.next) == 0
		}, 5*time.Second, time.Millisecond, "the key is idle again")
	})

	t.Run("keys do not wait for each other", func(t *testing.T) {
		c, q := newCoalescer[string, int](), newGatedQuery()
		go func() { _, _ = c.do(ctx, "a", q.fn) }()
		waitStarted(t, q, 1)
		close(q.gate(2))
		v, err := c.do(ctx, "b", q.fn)
		require.NoError(t, err)
		require.Equal(t, 2, v)
		close(q.gate(1))
	})

	t.Run("errors are shared; a reader that gives up does not stop the batch", func(t *testing.T) {
		c, q := newCoalescer[string, int](), newGatedQuery()
		q.err = errors.New("boom")
		go func() { _, _ = c.do(ctx, "k", q.fn) }()
		waitStarted(t, q, 1)
		quitter, cancel := context.WithCancel(ctx)
		quit := make(chan error)
		go func() {
			_, err := c.do(quitter, "k", q.fn)
			quit <- err
		}()
		stayed := make(chan error)
		go func() {
			_, err := c.do(ctx, "k", q.fn)
			stayed <- err
		}()
		waitMembers(t, c, "k", 2)
		cancel()
		require.ErrorIs(t, <-quit, context.Canceled)
		close(q.gate(1))
		waitStarted(t, q, 2)
		close(q.gate(2))
		require.ErrorIs(t, <-stayed, q.err)
	})

	t.Run("a query that panics leaves its key usable", func(t *testing.T) {
		c := newCoalescer[string, int]()
		require.Panics(t, func() {
			_, _ = c.do(ctx, "k", func(context.Context) (int, error) { panic("boom") })
		})
		v, err := c.do(ctx, "k", func(context.Context) (int, error) { return 7, nil })
		require.NoError(t, err)
		require.Equal(t, 7, v)
	})
}
