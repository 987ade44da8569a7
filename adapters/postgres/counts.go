package postgres

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// Counts returns how many rows each table holds, in one round trip.
func (r *RoomRepo) Counts(ctx context.Context) (application.StoreCounts, error) {
	var c application.StoreCounts
	err := r.idb.NewRaw(`SELECT
		(SELECT count(*) FROM rooms), (SELECT count(*) FROM routers), (SELECT count(*) FROM peers),
		(SELECT count(*) FROM producers), (SELECT count(*) FROM consumers), (SELECT count(*) FROM pipes),
		(SELECT count(*) FROM piped_producers), (SELECT count(*) FROM data_producers),
		(SELECT count(*) FROM data_consumers)`).
		Scan(ctx, &c.Rooms, &c.Routers, &c.Peers, &c.Producers, &c.Consumers, &c.Pipes, &c.PipedProducers,
			&c.DataProducers, &c.DataConsumers)
	if err != nil {
		return application.StoreCounts{}, dbErr("count rows", err, nil)
	}
	return c, nil
}
