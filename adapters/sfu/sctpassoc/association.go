package sctpassoc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"

	"github.com/pion/logging"
	"github.com/pion/sctp"
)

// Errors of the package.
var (
	ErrStreamInUse = errors.New("sctpassoc: stream id already in use")
	ErrClosed      = errors.New("sctpassoc: association closed")
	ErrNotUp       = errors.New("sctpassoc: association not established")
	ErrBufferFull  = errors.New("sctpassoc: stream send buffer full")
)

// DefaultMaxMessageSize is the largest inbound message when Config.MaxMessageSize is 0.
const DefaultMaxMessageSize = 262144

// DefaultMaxBufferedAmount is a stream's send buffer cap when Config.MaxBufferedAmount is 0.
const DefaultMaxBufferedAmount = 1 << 20

// rtoMaxMs caps SCTP's retransmission timeout (RFC 4960's RTO.Max is 60 s): on a loaded host a few losses in a
// row must not stall a reliable stream for tens of seconds. RTO.Min stays 1 s (pion/sctp's).
const rtoMaxMs = 3000

// sctpMTU is the largest SCTP packet we send: below the 1200 bytes every WebRTC path carries, DTLS overhead
// included (pion/webrtc uses the same).
const sctpMTU = 1200

// Config describes an association.
type Config struct {
	// MaxMessageSize bounds inbound messages: larger ones are dropped and counted; the association survives.
	MaxMessageSize int
	// MaxBufferedAmount caps each stream's queued, unacknowledged outbound bytes: a message that would take a
	// stream over it is dropped and counted (Counters.Overflow), so a remote that does not read costs bounded
	// memory and never slows the sender. While the remote's receive window is open (it reads) up to another
	// MaxBufferedAmount is allowed on top, for data it received but has not acknowledged yet (SACKs come up to
	// 200 ms late): see Stream.Send. A message larger than the cap is always dropped.
	MaxBufferedAmount int
	// OnClosed, if set, is called once when the association ends after Run started (nil after Close).
	OnClosed func(error)
	// Totals, if set, also counts this association's messages (a node's sum over its associations).
	Totals *Counters
}

// Counters count messages; safe for concurrent use.
type Counters struct {
	MessagesIn, MessagesOut atomic.Uint64
	// Dropped counts inbound messages over MaxMessageSize; NotSent outbound ones sent before establishment;
	// Overflow outbound ones that did not fit a stream's MaxBufferedAmount.
	Dropped, NotSent, Overflow atomic.Uint64
}

// Association is one SCTP association and its registered streams. Safe for concurrent use.
type Association struct {
	maxMsg   int
	maxBuf   uint64
	onClosed func(error)
	log      logging.LoggerFactory

	mu      sync.Mutex
	assoc   *sctp.Association                // nil until established
	peer    atomic.Pointer[sctp.Association] // assoc, read without the lock by Send
	streams map[uint16]*Stream
	closed  bool
	ctx     context.Context //nolint:containedctx // lifetime of the handshake
	cancel  context.CancelFunc
	up      chan struct{}

	readers   sync.WaitGroup
	runDone   chan struct{}
	started   atomic.Bool
	closeOnce sync.Once

	own    Counters
	totals *Counters
}

// New builds an association that runs once Run is given a connection.
func New(cfg Config) *Association {
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if cfg.MaxBufferedAmount <= 0 {
		cfg.MaxBufferedAmount = DefaultMaxBufferedAmount
	}
	a := &Association{
		maxMsg: cfg.MaxMessageSize, maxBuf: uint64(cfg.MaxBufferedAmount), onClosed: cfg.OnClosed, streams: map[uint16]*Stream{},
		up: make(chan struct{}), runDone: make(chan struct{}), log: silentLoggers(), totals: cfg.Totals,
	}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	return a
}

// Run establishes the association over conn and serves it until it ends; it returns then (call it on its own
// goroutine, at most once). conn is closed when the association ends.
func (a *Association) Run(conn net.Conn) error {
	if !a.started.CompareAndSwap(false, true) {
		return fmt.Errorf("sctpassoc: run twice: %w", ErrClosed)
	}
	defer close(a.runDone)
	assoc, err := sctp.ClientContext(a.ctx,
		sctp.WithNetConn(conn), sctp.WithLoggerFactory(a.log), sctp.WithMTU(sctpMTU),
		sctp.WithMaxMessageSize(uint32(a.maxMsg)), //nolint:gosec // bounded by the config's validation
		sctp.WithRTOMax(rtoMaxMs),
	)
	if err != nil {
		_ = conn.Close()
		a.finish(fmt.Errorf("sctpassoc: handshake: %w", err))
		return err
	}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		_ = assoc.Close()
		return ErrClosed
	}
	a.assoc = assoc
	a.peer.Store(assoc)
	for _, s := range a.streams {
		s.attachLocked(assoc)
	}
	close(a.up)
	a.mu.Unlock()
	// Streams the remote opens before we register them stay in the association with their data until Open.
	for {
		if _, err := assoc.AcceptStream(); err != nil {
			break
		}
	}
	_ = assoc.Close()
	a.finish(fmt.Errorf("sctpassoc: association ended: %w", net.ErrClosed))
	return nil
}

// WaitUp waits until the association is established.
func (a *Association) WaitUp(ctx context.Context) error {
	select {
	case <-a.up:
		return nil
	case <-a.runDone:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("sctpassoc: waiting for the association: %w", ctx.Err())
	}
}

// Up reports whether the association is established.
func (a *Association) Up() bool {
	select {
	case <-a.up:
		return true
	default:
		return false
	}
}

// Open registers stream id with its reliability; onMessage, when set, receives the stream's inbound messages on
// the stream's reader goroutine (msg valid during the call only); onReset, when set, is called once if the remote
// resets the stream (its data channel closed). ErrStreamInUse when the id is registered.
func (a *Association) Open(id uint16, p StreamParams, onMessage func(msg []byte, isString bool), onReset func()) (*Stream, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, ErrClosed
	}
	if _, ok := a.streams[id]; ok {
		return nil, fmt.Errorf("%w: %d", ErrStreamInUse, id)
	}
	s := &Stream{a: a, id: id, params: p, onMessage: onMessage, onReset: onReset}
	a.streams[id] = s
	if a.assoc != nil {
		s.attachLocked(a.assoc)
	}
	return s, nil
}

// InUse reports whether a stream id is registered.
func (a *Association) InUse(id uint16) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.streams[id]
	return ok
}

// Close ends the association and waits for its goroutines. Idempotent.
func (a *Association) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	assoc := a.assoc
	a.mu.Unlock()
	a.cancel()
	var err error
	if assoc != nil {
		err = assoc.Close()
	}
	if a.started.Load() {
		<-a.runDone
	}
	a.readers.Wait()
	a.closeOnce.Do(func() {}) // Close is not a failure: OnClosed is not called
	return err
}

// finish marks the association ended by its connection and reports it once.
func (a *Association) finish(err error) {
	a.mu.Lock()
	wasClosed := a.closed
	a.closed = true
	a.mu.Unlock()
	a.cancel()
	if wasClosed {
		return
	}
	a.closeOnce.Do(func() {
		if a.onClosed != nil {
			a.onClosed(err)
		}
	})
}

// Stats are the association's message counters.
type Stats struct {
	MessagesIn, MessagesOut uint64
	// Dropped counts inbound messages over MaxMessageSize; NotSent outbound ones sent before establishment;
	// Overflow outbound ones over a stream's MaxBufferedAmount.
	Dropped, NotSent, Overflow uint64
}

// Stats returns the counters.
func (a *Association) Stats() Stats {
	return Stats{MessagesIn: a.own.MessagesIn.Load(), MessagesOut: a.own.MessagesOut.Load(), Dropped: a.own.Dropped.Load(),
		NotSent: a.own.NotSent.Load(), Overflow: a.own.Overflow.Load()}
}

// count adds one to a counter of the association and of its totals.
func (a *Association) count(pick func(*Counters) *atomic.Uint64) {
	pick(&a.own).Add(1)
	if a.totals != nil {
		pick(a.totals).Add(1)
	}
}

func messagesIn(c *Counters) *atomic.Uint64  { return &c.MessagesIn }
func messagesOut(c *Counters) *atomic.Uint64 { return &c.MessagesOut }
func dropped(c *Counters) *atomic.Uint64     { return &c.Dropped }
func notSent(c *Counters) *atomic.Uint64     { return &c.NotSent }
func overflow(c *Counters) *atomic.Uint64    { return &c.Overflow }

func (a *Association) forget(s *Stream) {
	a.mu.Lock()
	if a.streams[s.id] == s {
		delete(a.streams, s.id)
	}
	a.mu.Unlock()
}

func silentLoggers() logging.LoggerFactory {
	f := logging.NewDefaultLoggerFactory()
	f.DefaultLogLevel = logging.LogLevelDisabled
	return f
}
