package postgres

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
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

// peerCountRow is one (room, kind) group of CountPeers.
type peerCountRow struct {
	RoomID string `bun:"room_id"`
	Kind   string `bun:"kind"`
	N      int    `bun:"n"`
}

// CountPeers counts the peers of each room of roomIDs by kind, in one query (peers_room_id_idx). It runs with every
// GET /rooms, so outside a transaction identical concurrent calls share one query, as the page read does.
func (r *RoomRepo) CountPeers(ctx context.Context, roomIDs []string) (map[string]application.PeerCounts, error) {
	out := map[string]application.PeerCounts{}
	if len(roomIDs) == 0 {
		return out, nil
	}
	run := func(ctx context.Context) ([]peerCountRow, error) {
		var rows []peerCountRow
		err := r.idb.NewRaw(`SELECT room_id, kind, count(*) AS n FROM peers WHERE room_id IN (?) GROUP BY room_id, kind`,
			bun.List(roomIDs)).Scan(ctx, &rows)
		return rows, err
	}
	var rows []peerCountRow
	var err error
	if r.inTx {
		rows, err = run(ctx)
	} else {
		rows, err = r.reads.peerCountsBatch.do(ctx, strings.Join(roomIDs, ","), run)
	}
	if err != nil {
		return nil, dbErr("count peers", err, nil)
	}
	for _, row := range rows {
		c := out[row.RoomID]
		switch domain.PeerKind(row.Kind) {
		case domain.PeerKindProducer:
			c.Producers += row.N
		case domain.PeerKindConsumer:
			c.Consumers += row.N
		}
		out[row.RoomID] = c
	}
	return out, nil
}
