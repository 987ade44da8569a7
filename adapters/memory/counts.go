package memory

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// Counts returns how many records of each kind the store holds.
func (r *RoomRepo) Counts(ctx context.Context) (application.StoreCounts, error) {
	var c application.StoreCounts
	err := r.do(ctx, func(s *state) error {
		c = application.StoreCounts{Rooms: len(s.rooms), Routers: len(s.routers), Peers: len(s.peers),
			Producers: len(s.producers), Consumers: len(s.consumers), Pipes: len(s.pipes), PipedProducers: len(s.piped),
			DataProducers: len(s.dataProds), DataConsumers: len(s.dataCons)}
		return nil
	})
	return c, err
}
