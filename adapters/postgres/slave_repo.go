package postgres

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

var _ application.SlaveRepo = (*SlaveRepo)(nil)

// SlaveRepo is the application.SlaveRepo on a Bun database. Capacity changes are single UPDATE statements with
// their condition in the WHERE clause, so two masters on one database never take the same last slot and no row
// lock outlives a statement.
type SlaveRepo struct {
	db    *bun.DB
	stmts *slaveStatements
}

// slaveStatements are a SlaveRepo's prepared statements (hot_writes.go): a join's slot reservation, a leave's
// release, each taking a free shard (PostgreSQL only).
type slaveStatements struct {
	reserve, release prepared
	counter          atomic.Pointer[RoundTrips] // set by NewCountedRepos (tests)
}

// NewSlaveRepo returns a SlaveRepo on db, which Migrate has brought up to date.
func NewSlaveRepo(db *bun.DB) *SlaveRepo {
	const lock = " FOR UPDATE SKIP LOCKED"
	return &SlaveRepo{db: db, stmts: &slaveStatements{
		reserve: prepared{query: reserveSlot.freeShardQuery(lock)},
		release: prepared{query: releaseSlot.freeShardQuery(lock)},
	}}
}

// Upsert stores s, replacing the record of the same id and any other record with the same APIURL; the id of the
// latter is returned in replaced.
func (r *SlaveRepo) Upsert(ctx context.Context, s domain.Slave) (replaced string, err error) {
	// Two registrations of one URL racing: the loser's insert hits the unique api_url after the winner commits;
	// its second attempt then sees (and replaces) the winner's row.
	for attempt := 0; ; attempt++ {
		replaced, err = r.upsertOnce(ctx, s)
		if err == nil || attempt == 1 || !errors.Is(err, domain.ErrConflict) {
			return replaced, err
		}
	}
}

func (r *SlaveRepo) upsertOnce(ctx context.Context, s domain.Slave) (string, error) {
	var replaced []string
	err := r.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewDelete().Model((*slaveRow)(nil)).
			Where("api_url = ?", s.APIURL).Where("id <> ?", s.ID).
			Returning("id").Scan(ctx, &replaced)
		if err != nil {
			return err
		}
		_, err = tx.NewInsert().Model(slaveToRow(s)).
			On("CONFLICT (id) DO UPDATE").
			Set("role = EXCLUDED.role").
			Set("api_url = EXCLUDED.api_url").
			Set("max_transports = EXCLUDED.max_transports").
			Set("load = EXCLUDED.load").
			Set("status = EXCLUDED.status").
			Set("last_seen_at = EXCLUDED.last_seen_at").
			Set("created_at = EXCLUDED.created_at").
			Set("suspect_since = EXCLUDED.suspect_since").
			Exec(ctx)
		if err != nil {
			return err
		}
		return writeSlots(ctx, tx, s.ID, s.MaxTransports, s.TransportCount)
	})
	if err != nil {
		return "", dbErr(fmt.Sprintf("upsert slave %q", s.ID), err, nil)
	}
	if len(replaced) == 0 {
		return "", nil
	}
	return replaced[0], nil // api_url is unique: at most one
}

// Get returns a slave or domain.ErrSlaveNotFound.
func (r *SlaveRepo) Get(ctx context.Context, id string) (domain.Slave, error) {
	var row slaveRow
	err := r.db.NewSelect().Model(&row).ColumnExpr("?TableAlias.*").ColumnExpr(slotsUsed).
		Where("?TableAlias.id = ?", id).Scan(ctx)
	if err != nil {
		return domain.Slave{}, dbErr(fmt.Sprintf("slave %q", id), err, domain.ErrSlaveNotFound)
	}
	return row.domain(), nil
}

// List returns every slave, oldest first.
func (r *SlaveRepo) List(ctx context.Context) ([]domain.Slave, error) {
	var rows []slaveRow
	err := r.db.NewSelect().Model(&rows).ColumnExpr("?TableAlias.*").ColumnExpr(slotsUsed).
		Order("created_at", "id").Scan(ctx)
	if err != nil {
		return nil, dbErr("list slaves", err, nil)
	}
	return toDomain(rows), nil
}

// Heartbeat records an alive slave's reported load; domain.ErrSlaveNotFound for unknown and dead slaves.
func (r *SlaveRepo) Heartbeat(ctx context.Context, id string, load domain.SlaveLoad, now time.Time) error {
	row := &slaveRow{ID: id, Load: load, Status: string(domain.SlaveStatusAlive), LastSeenAt: now}
	// Only an alive slave beats: a dead one had its rows cleaned, so it must register again (as new).
	// A heartbeat shows the slave alive: it clears a suspicion (suspect_since, zero in row, is written as NULL).
	res, err := r.db.NewUpdate().Model(row).Column("load", "status", "last_seen_at", "suspect_since").WherePK().
		Where("status = ?", string(domain.SlaveStatusAlive)).Exec(ctx)
	return affectedOne(fmt.Sprintf("heartbeat of slave %q", id), res, err, domain.ErrSlaveNotFound)
}

// Delete removes a slave; domain.ErrSlaveNotFound when unknown. What it owned is the caller's to clean.
func (r *SlaveRepo) Delete(ctx context.Context, id string) error {
	return deleteOne(ctx, r.db, "slave", (*slaveRow)(nil), id, domain.ErrSlaveNotFound)
}

// PickSlave returns the placeable slave of a role that comes first in domain.Slave.LessLoaded's order;
// domain.ErrNoSlaveCapacity when there is none. It reserves nothing: the candidates
// are few (one row per slave), so they are ranked here rather than in dialect-specific JSON SQL.
func (r *SlaveRepo) PickSlave(ctx context.Context, role domain.SlaveRole) (domain.Slave, error) {
	var rows []slaveRow
	err := r.db.NewSelect().Model(&rows).ColumnExpr("?TableAlias.*").ColumnExpr(slotsUsed).
		Where("role = ?", string(role)).
		Where("status = ?", string(domain.SlaveStatusAlive)).
		Scan(ctx)
	if err != nil {
		return domain.Slave{}, dbErr("pick slave", err, nil)
	}
	if len(rows) == 0 {
		return domain.Slave{}, fmt.Errorf("%s slave: %w", role, domain.ErrNoSlaveCapacity)
	}
	var slaves []domain.Slave
	for _, s := range toDomain(rows) {
		// A draining slave's flag is in its reported load (JSON) and the reserved count is a sum over shards:
		// both filtered here, not in SQL.
		if s.Placeable() && s.HasCapacity() {
			slaves = append(slaves, s)
		}
	}
	if len(slaves) == 0 {
		return domain.Slave{}, fmt.Errorf("%s slave: %w", role, domain.ErrNoSlaveCapacity)
	}
	sort.Slice(slaves, func(i, j int) bool { return slaves[i].LessLoaded(slaves[j]) })
	return slaves[0], nil
}
