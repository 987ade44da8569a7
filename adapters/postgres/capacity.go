package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/uptrace/bun/dialect"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ReserveTransport takes one transport slot of an alive, not suspect slave. The slots are sharded (slots.go): one
// statement takes a slot of a shard with room that no concurrent reservation holds (FOR UPDATE SKIP LOCKED, from a
// random shard on), so reservations on one slave, from any number of masters, do not queue on one row; each
// shard's used < capacity condition keeps the total within max_transports. Only when every shard with room was
// held at that instant does it wait for one. domain.ErrSlaveNotFound when unknown, domain.ErrNoSlaveCapacity when
// it is dead, suspect or full.
func (r *SlaveRepo) ReserveTransport(ctx context.Context, slaveID string) error {
	what := fmt.Sprintf("reserve a transport on slave %q", slaveID)
	return r.takeSlot(ctx, what, slaveID, reserveSlot)
}

// ReleaseTransport gives a slot back, never going below zero; domain.ErrSlaveNotFound when unknown.
func (r *SlaveRepo) ReleaseTransport(ctx context.Context, slaveID string) error {
	what := fmt.Sprintf("release a transport of slave %q", slaveID)
	return r.takeSlot(ctx, what, slaveID, releaseSlot)
}

// slotMove is a reservation (+1 on a shard with room, on a placeable slave) or a release (-1 on a shard with
// some used).
type slotMove struct {
	set, cond, slaveCond string
	// free picks which prepared statement of the repo takes a free shard (PostgreSQL).
	free      func(*slaveStatements) *prepared
	none      error // when no shard qualifies although the slave exists
	contended error // when every qualifying shard was taken by others maxSlotAttempts times
}

var (
	reserveSlot = slotMove{set: "used = used + 1", cond: "used < capacity",
		slaveCond: "EXISTS (SELECT 1 FROM slaves WHERE slaves.id = slave_slots.slave_id AND slaves.status = 'alive' " +
			"AND slaves.suspect_since IS NULL)",
		none: domain.ErrNoSlaveCapacity, contended: domain.ErrNoSlaveCapacity,
		free: func(s *slaveStatements) *prepared { return &s.reserve }}
	releaseSlot = slotMove{set: "used = used - 1", cond: "used > 0", slaveCond: "1 = 1", contended: domain.ErrUnavailable,
		free: func(s *slaveStatements) *prepared { return &s.release }}
)

// freeShardQuery is the statement that moves a slot of a shard with room that no concurrent move holds (lock:
// the row lock clause of the shard's choice, "" on SQLite), returning the shard.
func (m slotMove) freeShardQuery(lock string) string {
	return "UPDATE slave_slots SET " + m.set + " WHERE slave_id = ? AND " + m.cond + " AND " + m.slaveCond +
		" AND shard = (SELECT shard FROM slave_slots WHERE slave_id = ? AND " + m.cond + " AND " + m.slaveCond +
		" ORDER BY (shard + ?) % ? LIMIT 1" + lock + ") RETURNING shard"
}

// maxSlotAttempts bounds how often a move that found every qualifying shard held, then lost the one it waited
// for to another move, starts over (each such loss is another move's progress).
const maxSlotAttempts = 64

func (r *SlaveRepo) takeSlot(ctx context.Context, what, slaveID string, m slotMove) error {
	lock := ""
	if r.db.Dialect().Name() == dialect.PG { // SQLite has one writer at a time: nothing to skip
		lock = " FOR UPDATE SKIP LOCKED"
	}
	start := rand.IntN(slotShards) //nolint:gosec // spreads shard choice, not a secret
	for range maxSlotAttempts {
		// The free shard (its lock skipped by others) in one statement: the usual case.
		var shard int
		args := []any{slaveID, slaveID, slotShards - start, slotShards}
		var err error
		if lock != "" {
			err = m.free(r.stmts).queryRow(ctx, r.db, r.stmts.counter.Load(), args, &shard)
		} else {
			err = r.db.NewRaw(m.freeShardQuery(""), args...).Scan(ctx, &shard)
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return dbErr(what, err, nil)
		}
		// None free: the slave is unknown, unplaceable or full, or every shard that qualifies is held right now.
		var held []int
		err = r.db.NewRaw("SELECT shard FROM slave_slots WHERE slave_id = ? AND "+m.cond+" AND "+m.slaveCond+
			" ORDER BY (shard + ?) % ? LIMIT 1", slaveID, slotShards-start, slotShards).Scan(ctx, &held)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return dbErr(what, err, nil)
		}
		if len(held) == 0 {
			return r.whyNot(ctx, slaveID, what, m.none)
		}
		// Wait for that shard; the condition is checked again once its holder commits.
		err = r.db.NewRaw("UPDATE slave_slots SET "+m.set+" WHERE slave_id = ? AND shard = ? AND "+m.cond+" AND "+
			m.slaveCond+" RETURNING shard", slaveID, held[0]).Scan(ctx, &shard)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return dbErr(what, err, nil)
		}
	}
	return fmt.Errorf("%s: every shard was taken by others %d times: %w", what, maxSlotAttempts, m.contended)
}

// whyNot explains a move that found no shard: the slave is unknown, or it exists and ifExists is the answer.
func (r *SlaveRepo) whyNot(ctx context.Context, slaveID, what string, ifExists error) error {
	exists, err := r.db.NewSelect().Model((*slaveRow)(nil)).Where("id = ?", slaveID).Exists(ctx)
	switch {
	case err != nil:
		return dbErr(what, err, nil)
	case !exists:
		return fmt.Errorf("%s: %w", what, domain.ErrSlaveNotFound)
	case ifExists != nil:
		return fmt.Errorf("%s: %w", what, ifExists)
	default:
		return nil
	}
}

// MarkSuspect records a call to an alive slave that got no answer; unknown, dead and suspect slaves are left as
// they are.
func (r *SlaveRepo) MarkSuspect(ctx context.Context, id string, now time.Time) (bool, error) {
	res, err := r.db.NewUpdate().Model((*slaveRow)(nil)).
		Set("suspect_since = ?", now).
		Where("id = ?", id).
		Where("status = ?", string(domain.SlaveStatusAlive)).
		Where("suspect_since IS NULL").
		Exec(ctx)
	if err != nil {
		return false, dbErr(fmt.Sprintf("mark slave %q suspect", id), err, nil)
	}
	n, err := res.RowsAffected()
	return n == 1, dbErr(fmt.Sprintf("mark slave %q suspect", id), err, nil)
}

// MarkDead marks alive slaves last seen before cutoff as dead and returns them, oldest first.
func (r *SlaveRepo) MarkDead(ctx context.Context, cutoff time.Time) ([]domain.Slave, error) {
	var rows []slaveRow
	err := r.db.NewUpdate().Model((*slaveRow)(nil)).
		Set("status = ?", string(domain.SlaveStatusDead)).
		Where("status = ?", string(domain.SlaveStatusAlive)).
		Where("last_seen_at < ?", cutoff).
		Returning("*").Scan(ctx, &rows)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, dbErr("mark dead slaves", err, nil)
	}
	dead := toDomain(rows)
	if len(dead) > 0 { // RETURNING has the row, not its shards' sum
		ids := make([]string, len(dead))
		for i, s := range dead {
			ids[i] = s.ID
		}
		used, err := usedSlots(ctx, r.db, ids)
		if err != nil {
			return nil, dbErr("count the slots of dead slaves", err, nil)
		}
		for i := range dead {
			dead[i].TransportCount = used[dead[i].ID]
		}
	}
	sort.Slice(dead, func(i, j int) bool { // RETURNING has no ORDER BY
		if !dead[i].CreatedAt.Equal(dead[j].CreatedAt) {
			return dead[i].CreatedAt.Before(dead[j].CreatedAt)
		}
		return dead[i].ID < dead[j].ID
	})
	return dead, nil
}
