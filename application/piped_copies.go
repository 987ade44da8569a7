package application

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// pipedCopy is a producer's copy on the far end of a pipe: the target router's slave holds a producer with the
// same id.
type pipedCopy struct {
	slaveID, producerID string
}

// pipedCopiesOf finds, before a producer's rows go, where it was piped to. The source slave also ends the copies
// with an RTCP BYE over the pipe, but that is one UDP datagram: the master closes them too, so a lost BYE does not
// leave a copy (and its consumers) on the consumer slave until the pipe closes.
func pipedCopiesOf(ctx context.Context, rooms RoomRepo, routerID string, producerIDs map[string]bool) ([]pipedCopy, error) {
	if len(producerIDs) == 0 {
		return nil, nil
	}
	pipes, err := rooms.ListPipes(ctx, routerID)
	if err != nil {
		return nil, err
	}
	var copies []pipedCopy
	for _, pipe := range pipes {
		if pipe.SourceRouterID != routerID {
			continue
		}
		piped, err := rooms.ListPipedProducers(ctx, pipe.ID)
		if err != nil {
			return nil, err
		}
		var target *domain.Router
		for _, id := range piped {
			if !producerIDs[id] {
				continue
			}
			if target == nil {
				r, err := rooms.GetRouter(ctx, pipe.TargetRouterID)
				if err != nil {
					return nil, err
				}
				target = &r
			}
			copies = append(copies, pipedCopy{slaveID: target.SlaveID, producerID: id})
		}
	}
	return copies, nil
}

// closePipedCopies closes the copies on their slaves once the rows are gone; failures are reported, not returned
// (the source's BYE and the pipe's own close are the other ways the copy ends).
func (d Deps) closePipedCopies(ctx context.Context, copies []pipedCopy) {
	for _, c := range copies {
		d.closeOnSlave(ctx, c.slaveID, "close piped producer "+c.producerID, func(ctx context.Context, n SFUNode) error {
			return n.CloseProducer(ctx, c.producerID)
		})
	}
}
