package postgres

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/sfu-cluster/sfu-cluster/application"
)

var _ application.RoomRepo = (*RoomRepo)(nil)

// RoomRepo is the application.RoomRepo on a Bun database. The queries are functions of bun.IDB (files rooms.go,
// routers.go...), so the same code runs on the database or inside a transaction.
type RoomRepo struct {
	db   *bun.DB
	idb  bun.IDB // db, or the transaction of a repo handed to WithinTx's fn
	inTx bool
	// Shared with the transaction repos.
	caps  *capsMemo
	reads *hotReads
}

// NewRoomRepo returns a RoomRepo on db, which Migrate has brought up to date.
func NewRoomRepo(db *bun.DB) *RoomRepo {
	return &RoomRepo{db: db, idb: db, caps: newCapsMemo(), reads: newHotReads()}
}

// WithinTx runs fn in one database transaction, committed when fn returns nil and rolled back otherwise; fn's
// error is returned as it is. Inside a transaction it reuses it. fn must use the repo it is given: on SQLite the
// transaction holds the only connection.
func (r *RoomRepo) WithinTx(ctx context.Context, fn func(tx application.RoomRepo) error) error {
	if r.inTx {
		return fn(r)
	}
	var fnErr error
	err := r.db.RunInTx(ctx, nil, func(_ context.Context, tx bun.Tx) error {
		fnErr = fn(&RoomRepo{db: r.db, idb: tx, inTx: true, caps: r.caps, reads: r.reads})
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	return dbErr("transaction", err, nil)
}

// parent is a row a new row references: when the insert breaks its foreign key, notFound is the answer.
type parent struct {
	table, id, constraint string
	notFound              error
}

// insertChild inserts model and, when a foreign key fails, answers with the missing parent's sentinel.
func insertChild(ctx context.Context, db bun.IDB, what string, model any, parents ...parent) error {
	_, err := db.NewInsert().Model(model).Exec(ctx)
	return childError(ctx, db, what, err, parents...)
}

// childError is the answer to an insert of a row with parents that ended with err (nil: none).
func childError(ctx context.Context, db bun.IDB, what string, err error, parents ...parent) error {
	if err == nil || !isForeignKeyViolation(err) {
		return dbErr(what, err, nil)
	}
	// PostgreSQL names the constraint (and has aborted the transaction, so no query could follow).
	if name := pgConstraint(err); name != "" {
		for _, p := range parents {
			if p.constraint == name {
				return fmt.Errorf("%s: %s %q: %w", what, p.table, p.id, p.notFound)
			}
		}
	}
	// SQLite does not say which key failed: look.
	for _, p := range parents {
		exists, qerr := db.NewSelect().Table(p.table).Where("id = ?", p.id).Exists(ctx)
		if qerr == nil && !exists {
			return fmt.Errorf("%s: %s %q: %w", what, p.table, p.id, p.notFound)
		}
	}
	return dbErr(what, err, nil)
}

// selectOne scans the row of model's table with this id into model.
func selectOne(ctx context.Context, db bun.IDB, what string, model any, id string, notFound error) error {
	err := db.NewSelect().Model(model).Where("id = ?", id).Scan(ctx)
	return dbErr(fmt.Sprintf("%s %q", what, id), err, notFound)
}

// deleteOne deletes the row of model's table with this id, or answers notFound.
func deleteOne(ctx context.Context, db bun.IDB, what string, model any, id string, notFound error) error {
	res, err := db.NewDelete().Model(model).Where("id = ?", id).Exec(ctx)
	return affectedOne(fmt.Sprintf("delete %s %q", what, id), res, err, notFound)
}

// affectedOne checks that a write touched a row.
func affectedOne(what string, res interface{ RowsAffected() (int64, error) }, err error, notFound error) error {
	if err != nil {
		return dbErr(what, err, nil)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return dbErr(what, err, nil)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, notFound)
	}
	return nil
}
