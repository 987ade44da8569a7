package postgres

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// slotShards is how many rows a slave's transport slots are split into (fewer when max_transports is smaller).
// Concurrent reservations on one slave each lock a different shard (FOR UPDATE SKIP LOCKED), so a slave's joins,
// from one master or several, no longer queue on one row; 16 is well above the concurrent reservations a slave
// sees at once (each holds its shard for one single-statement transaction).
const slotShards = 16

// slotRow is one shard of a slave's transport slots: used <= capacity (except after a registration that reported
// more transports than its new capacity), and the capacities of a slave's shards add up to its max_transports.
type slotRow struct {
	bun.BaseModel `bun:"table:slave_slots"`

	SlaveID  string `bun:"slave_id,pk"`
	Shard    int    `bun:"shard,pk"`
	Capacity int    `bun:"capacity,notnull"`
	Used     int    `bun:"used,notnull"`
}

// slotsUsed is a slave's reserved transports, as a column of a query on slaves (scanned into
// slaveRow.TransportCount).
const slotsUsed = "(SELECT coalesce(sum(slave_slots.used), 0) FROM slave_slots " +
	"WHERE slave_slots.slave_id = ?TableAlias.id) AS transport_count"

// splitSlots lays max transports out in shards (min(slotShards, max); the first max % n one larger) with used
// of them taken, filling the shards in order; used beyond max stays on the last shard, so the sum is kept and
// nothing more is reserved until enough is released.
func splitSlots(slaveID string, maxTransports, used int) []slotRow {
	n := min(slotShards, max(maxTransports, 1))
	base, rem := maxTransports/n, maxTransports%n
	rows := make([]slotRow, n)
	for k := range rows {
		c := base
		if k < rem {
			c++
		}
		u := min(c, used)
		if k == n-1 {
			u = used
		}
		used -= u
		rows[k] = slotRow{SlaveID: slaveID, Shard: k, Capacity: c, Used: u}
	}
	return rows
}

// writeSlots replaces a slave's shards with a fresh layout of maxTransports holding used reservations.
func writeSlots(ctx context.Context, db bun.IDB, slaveID string, maxTransports, used int) error {
	if _, err := db.NewDelete().Model((*slotRow)(nil)).Where("slave_id = ?", slaveID).Exec(ctx); err != nil {
		return fmt.Errorf("clear the slots of slave %q: %w", slaveID, err)
	}
	rows := splitSlots(slaveID, maxTransports, used)
	if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("write the slots of slave %q: %w", slaveID, err)
	}
	return nil
}

// usedSlots returns the reserved transports of each slave in ids (absent: none or no shards).
func usedSlots(ctx context.Context, db bun.IDB, ids []string) (map[string]int, error) {
	var rows []struct {
		SlaveID string `bun:"slave_id"`
		Used    int    `bun:"used"`
	}
	err := db.NewSelect().Model((*slotRow)(nil)).Column("slave_id").ColumnExpr("coalesce(sum(used), 0) AS used").
		Where("slave_id IN (?)", bun.List(ids)).Group("slave_id").Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.SlaveID] = r.Used
	}
	return out, nil
}
