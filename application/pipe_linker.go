package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Pipes is the master's PipeLinker: it orchestrates pipe transports on two slaves through their SFUNodes and
// records them in the store. Slaves never call each other: every address a pipe connects to comes from here.
//
// Concurrency without row locks across HTTP calls: the first caller inserts a pending pipe row and builds the
// transports; the unique (source, target) key turns every other caller into a waiter that polls until the row is
// ready (or gone, then it retries). Piping a producer is idempotent on the slaves (PipeConsume/PipeProduce of a
// producer already piped answer success), so concurrent links of one producer converge on one piped copy.
type Pipes struct {
	d    Deps
	srtp bool
	// PendingTimeout is how long a pending pipe may stay unready before waiters consider its builder dead.
	PendingTimeout time.Duration
	// Poll is the waiters' polling interval (for a pipe another master builds: this master's own callers wait on
	// building instead).
	Poll time.Duration

	building *flights[[2]string] // by (source, target) router: one build or wait per pair in this master
}

// NewPipes builds the PipeLinker; srtp protects pipes with SRTP (PIPE_SRTP).
func NewPipes(d Deps, srtp bool) *Pipes {
	return &Pipes{d: d, srtp: srtp, PendingTimeout: 15 * time.Second, Poll: 25 * time.Millisecond,
		building: newFlights[[2]string]()}
}

// Link makes producer (of source) consumable on target.
func (p *Pipes) Link(ctx context.Context, producer domain.Producer, source, target domain.Router) error {
	if source.ID == target.ID {
		return nil
	}
	var pipe domain.Pipe
	err := p.building.do(ctx, [2]string{source.ID, target.ID}, func(ctx context.Context) (err error) {
		pipe, err = p.ensurePipe(ctx, source, target)
		return err
	})
	if err != nil {
		return err
	}
	if pipe.ID == "" { // another caller of this master got it ready: read it
		if pipe, err = p.ensurePipe(ctx, source, target); err != nil {
			return err
		}
	}
	piped, err := p.d.Rooms.ListPipedProducers(ctx, pipe.ID)
	if err != nil {
		return err
	}
	for _, id := range piped {
		if id == producer.ID {
			return nil
		}
	}
	srcNode, _, err := p.d.nodeOf(ctx, source.SlaveID)
	if err != nil {
		return err
	}
	tgtNode, _, err := p.d.nodeOf(ctx, target.SlaveID)
	if err != nil {
		return err
	}
	desc, err := srcNode.PipeConsume(ctx, pipe.SourceTransportID, producer.ID)
	if err != nil {
		return fmt.Errorf("pipe-consume on slave %s: %w", source.SlaveID, err)
	}
	if err := tgtNode.PipeProduce(ctx, pipe.TargetTransportID, desc); err != nil {
		// Without a copy on the far end, the source would send the producer into the pipe for nothing. (A
		// concurrent link of the same producer that succeeded meanwhile re-pipes it on its next consume.)
		return undo(ctx, fmt.Errorf("pipe-produce on slave %s: %w", target.SlaveID, err), func(ctx context.Context) error {
			return srcNode.ClosePipeConsumer(ctx, pipe.SourceTransportID, producer.ID)
		})
	}
	if err := p.d.Rooms.AddPipedProducer(ctx, pipe.ID, producer.ID); err != nil && !errors.Is(err, domain.ErrConflict) {
		return err
	}
	return nil
}

// ensurePipe returns the ready pipe of the router pair, building it when nobody has.
func (p *Pipes) ensurePipe(ctx context.Context, source, target domain.Router) (domain.Pipe, error) {
	for {
		existing, err := p.d.Rooms.FindPipe(ctx, source.ID, target.ID)
		switch {
		case err == nil && existing.Ready:
			return existing, nil
		case err == nil && p.d.Clock.Now().Sub(existing.CreatedAt) > p.PendingTimeout:
			// Its builder died mid-way (a master restart): clear it and build again.
			if derr := p.d.Rooms.DeletePipe(ctx, existing.ID); derr != nil && !errors.Is(derr, domain.ErrPipeNotFound) {
				return domain.Pipe{}, derr
			}
			continue
		case err == nil:
			if err := sleepCtx(ctx, p.Poll); err != nil {
				return domain.Pipe{}, err
			}
			continue
		case !errors.Is(err, domain.ErrPipeNotFound):
			return domain.Pipe{}, err
		}
		pipe, err := domain.NewPipe(p.d.IDs.NewID(), source.ID, target.ID, p.d.Clock.Now())
		if err != nil {
			return domain.Pipe{}, err
		}
		if err := p.d.Rooms.CreatePipe(ctx, pipe); errors.Is(err, domain.ErrConflict) {
			continue // someone else builds it: wait for it
		} else if err != nil {
			return domain.Pipe{}, err
		}
		return p.build(ctx, pipe, source, target)
	}
}

// build creates and cross-connects the two pipe transports of a pending pipe, then marks it ready. On failure it
// closes what it made and deletes the pending row so that waiters retry.
func (p *Pipes) build(ctx context.Context, pipe domain.Pipe, source, target domain.Router) (domain.Pipe, error) {
	srcTID, tgtTID := p.d.IDs.NewID(), p.d.IDs.NewID()
	var cleanups []func(context.Context) error
	fail := func(err error) (domain.Pipe, error) {
		cleanups = append(cleanups, func(ctx context.Context) error { return p.d.Rooms.DeletePipe(ctx, pipe.ID) })
		return domain.Pipe{}, undo(ctx, err, func(ctx context.Context) error {
			var errs []error
			for _, c := range cleanups {
				if err := c(ctx); err != nil && !errors.Is(err, domain.ErrPipeNotFound) {
					errs = append(errs, err)
				}
			}
			return errors.Join(errs...)
		})
	}
	srcNode, _, err := p.d.nodeOf(ctx, source.SlaveID)
	if err != nil {
		return fail(err)
	}
	tgtNode, _, err := p.d.nodeOf(ctx, target.SlaveID)
	if err != nil {
		return fail(err)
	}
	srcInfo, err := srcNode.CreatePipeTransport(ctx, source.ID, srcTID, p.srtp)
	if err != nil {
		return fail(fmt.Errorf("create pipe transport on slave %s: %w", source.SlaveID, err))
	}
	cleanups = append(cleanups, func(ctx context.Context) error { return srcNode.ClosePipeTransport(ctx, srcTID) })
	tgtInfo, err := tgtNode.CreatePipeTransport(ctx, target.ID, tgtTID, p.srtp)
	if err != nil {
		return fail(fmt.Errorf("create pipe transport on slave %s: %w", target.SlaveID, err))
	}
	cleanups = append(cleanups, func(ctx context.Context) error { return tgtNode.ClosePipeTransport(ctx, tgtTID) })
	if err := srcNode.ConnectPipeTransport(ctx, srcTID, PipeConnectRequest{IP: tgtInfo.IP, Port: tgtInfo.Port, SrtpParameters: tgtInfo.SrtpParameters}); err != nil {
		return fail(fmt.Errorf("connect pipe transport on slave %s: %w", source.SlaveID, err))
	}
	if err := tgtNode.ConnectPipeTransport(ctx, tgtTID, PipeConnectRequest{IP: srcInfo.IP, Port: srcInfo.Port, SrtpParameters: srcInfo.SrtpParameters}); err != nil {
		return fail(fmt.Errorf("connect pipe transport on slave %s: %w", target.SlaveID, err))
	}
	if err := p.d.Rooms.MarkPipeReady(ctx, pipe.ID, srcTID, tgtTID); err != nil {
		return fail(err)
	}
	pipe.SourceTransportID, pipe.TargetTransportID, pipe.Ready = srcTID, tgtTID, true
	return pipe, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
