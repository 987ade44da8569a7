package bootstrap

import (
	"context"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// Media events (audio volumes, active speaker, producer scores) travel slave → master → room event stream. The
// slave posts them to the master's registry, as it reports closed transports: slaves never open the database,
// the registry client already fails over between masters behind the cluster secret, and the master that
// receives a batch publishes each event on the event bus, which on PostgreSQL reaches every master's streams
// (LISTEN/NOTIFY). The node's observer goroutine hands batches over without blocking; one goroutine here posts
// them, merging what queued up meanwhile, and drops batches when the master cannot keep up (they are
// momentary: the next volumes report replaces them).

const (
	mediaEventQueue   = 64              // batches waiting for the poster
	mediaEventTimeout = 2 * time.Second // per post
)

type mediaEventSender struct {
	reg     *registration
	log     *zap.Logger
	queue   chan []application.MediaEvent
	dropped atomic.Uint64
	cancel  context.CancelFunc
	done    chan struct{}
}

func newMediaEventSender(reg *registration, log *zap.Logger) *mediaEventSender {
	return &mediaEventSender{reg: reg, log: log, queue: make(chan []application.MediaEvent, mediaEventQueue), done: make(chan struct{})}
}

// enqueue is the node's OnMediaEvents: it never blocks.
func (s *mediaEventSender) enqueue(events []application.MediaEvent) {
	select {
	case s.queue <- events:
	default:
		if s.dropped.Add(1)%100 == 1 {
			s.log.Warn("media events dropped: the master does not keep up", zap.Uint64("dropped_batches", s.dropped.Load()))
		}
	}
}

func (s *mediaEventSender) start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.run(ctx)
}

func (s *mediaEventSender) run(ctx context.Context) {
	defer close(s.done)
	for {
		var batch []application.MediaEvent
		select {
		case <-ctx.Done():
			return
		case batch = <-s.queue:
		}
		for more := true; more && len(batch) < application.MaxMediaEvents/2; {
			select {
			case next := <-s.queue:
				batch = append(batch, next...)
			default:
				more = false
			}
		}
		id := s.reg.ID()
		if id == "" {
			continue // not registered (yet, or again): the rooms are not the master's anyway
		}
		for len(batch) > 0 { // a master takes at most MaxMediaEvents per post
			n := min(len(batch), application.MaxMediaEvents)
			s.post(ctx, id, batch[:n])
			batch = batch[n:]
		}
	}
}

func (s *mediaEventSender) post(ctx context.Context, id string, events []application.MediaEvent) {
	pctx, cancel := context.WithTimeout(ctx, mediaEventTimeout)
	defer cancel()
	if err := s.reg.registry.MediaEvents(pctx, id, events); err != nil && ctx.Err() == nil {
		s.log.Debug("post media events", zap.Int("events", len(events)), zap.Error(err))
	}
}

// stop ends the poster (after the node, whose observer goroutine feeds it, has closed).
func (s *mediaEventSender) stop(context.Context) error {
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	return nil
}
