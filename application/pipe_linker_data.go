package application

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// LinkData makes a data producer of source consumable on target: the source slave sends it on a stream of the
// pipe's SCTP association (PipeConsumeData answers once the association is up), the target slave makes a data
// producer of the same id fed by that stream. Both calls are idempotent, so every consume_data may call it; one
// stream per (pipe, data producer) whatever the number of data consumers on the target.
func (p *Pipes) LinkData(ctx context.Context, dp domain.DataProducer, source, target domain.Router) error {
	if source.ID == target.ID {
		return nil
	}
	pipe, err := p.ensurePipe(ctx, source, target)
	if err != nil {
		return err
	}
	srcNode, _, err := p.d.nodeOf(ctx, source.SlaveID)
	if err != nil {
		return err
	}
	tgtNode, _, err := p.d.nodeOf(ctx, target.SlaveID)
	if err != nil {
		return err
	}
	desc, err := srcNode.PipeConsumeData(ctx, pipe.SourceTransportID, dp.ID)
	if err != nil {
		return fmt.Errorf("pipe-consume data on slave %s: %w", source.SlaveID, err)
	}
	if err := tgtNode.PipeProduceData(ctx, pipe.TargetTransportID, desc); err != nil {
		return undo(ctx, fmt.Errorf("pipe-produce data on slave %s: %w", target.SlaveID, err), func(ctx context.Context) error {
			return srcNode.ClosePipeDataConsumer(ctx, pipe.SourceTransportID, dp.ID)
		})
	}
	return nil
}
