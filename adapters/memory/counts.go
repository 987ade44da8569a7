package memory

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
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

// CountPeers counts the peers of each room of roomIDs by kind.
func (r *RoomRepo) CountPeers(ctx context.Context, roomIDs []string) (map[string]application.PeerCounts, error) {
	out := map[string]application.PeerCounts{}
	err := r.do(ctx, func(s *state) error {
		want := make(map[string]bool, len(roomIDs))
		for _, id := range roomIDs {
			want[id] = true
		}
		for _, p := range s.peers {
			if !want[p.v.RoomID] {
				continue
			}
			c := out[p.v.RoomID]
			switch p.v.Kind {
			case domain.PeerKindProducer:
				c.Producers++
			case domain.PeerKindConsumer:
				c.Consumers++
			}
			out[p.v.RoomID] = c
		}
		return nil
	})
	return out, err
}
