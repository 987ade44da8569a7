package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ReserveTransport takes a transport slot of an alive slave in one statement whose WHERE clause is the capacity
// check, so concurrent reservations (from any number of masters) never exceed max_transports.
// domain.ErrSlaveNotFound when unknown, domain.ErrNoSlaveCapacity when it is dead or full.
func (r *SlaveRepo) ReserveTransport(ctx context.Context, slaveID string) error {
	var id string
	err := r.db.NewUpdate().Model((*slaveRow)(nil)).
		Set("transport_count = transport_count + 1").
		Where("id = ?", slaveID).
		Where("status = ?", string(domain.SlaveStatusAlive)).
		Where("suspect_since IS NULL").
		Where("transport_count < max_transports").
		Returning("id").Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return r.whyNot(ctx, slaveID, "reserve a transport on", domain.ErrNoSlaveCapacity)
	}
	return dbErr(fmt.Sprintf("reserve a transport on slave %q", slaveID), err, nil)
}

// ReleaseTransport gives a slot back, never going below zero; domain.ErrSlaveNotFound when unknown.
func (r *SlaveRepo) ReleaseTransport(ctx context.Context, slaveID string) error {
	var id string
	err := r.db.NewUpdate().Model((*slaveRow)(nil)).
		Set("transport_count = transport_count - 1").
		Where("id = ?", slaveID).
		Where("transport_count > 0").
		Returning("id").Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return r.whyNot(ctx, slaveID, "release a transport of", nil)
	}
	return dbErr(fmt.Sprintf("release a transport of slave %q", slaveID), err, nil)
}

// whyNot explains an update that matched no row: the slave is unknown, or it exists and ifExists is the answer.
func (r *SlaveRepo) whyNot(ctx context.Context, slaveID, what string, ifExists error) error {
	exists, err := r.db.NewSelect().Model((*slaveRow)(nil)).Where("id = ?", slaveID).Exists(ctx)
	switch {
	case err != nil:
		return dbErr(fmt.Sprintf("%s slave %q", what, slaveID), err, nil)
	case !exists:
		return fmt.Errorf("%s slave %q: %w", what, slaveID, domain.ErrSlaveNotFound)
	case ifExists != nil:
		return fmt.Errorf("%s slave %q: %w", what, slaveID, ifExists)
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
	sort.Slice(dead, func(i, j int) bool { // RETURNING has no ORDER BY
		if !dead[i].CreatedAt.Equal(dead[j].CreatedAt) {
			return dead[i].CreatedAt.Before(dead[j].CreatedAt)
		}
		return dead[i].ID < dead[j].ID
	})
	return dead, nil
}
