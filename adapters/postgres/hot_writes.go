package postgres

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// The writes of a viewer's join (its peer's and its consumer's rows, its transport slot) are prepared statements
// on PostgreSQL, as the join's reads are (hot_reads.go): bun sends each of its queries as text, which PostgreSQL
// parses, analyses and plans anew, and that was four tenths of PostgreSQL's CPU per join (perf, bench-joins c10),
// the slot reservation's subquery above all. The same statements, their rows and their foreign keys: only the
// text is sent and planned once per connection. Inside a transaction, and on SQLite (where bun's own time and
// bool encodings are what the reads expect), they run as bun queries.
const (
	insertPeerQuery = `INSERT INTO peers (id, room_id, router_id, slave_id, user_id, kind, sctp, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	insertConsumerQuery = `INSERT INTO consumers (id, peer_id, producer_id, created_at) VALUES (?, ?, ?, ?)`
)

// preparedWrites reports whether db runs the join's writes as prepared statements.
func preparedWrites(db *bun.DB, inTx bool) bool { return !inTx && db.Dialect().Name() == dialect.PG }

// exec runs p with args as a prepared statement of db's pool, counting the round trip when counter is set.
func (p *prepared) exec(ctx context.Context, db *bun.DB, counter *RoundTrips, args ...any) error {
	stmt, err := p.get(ctx, db) //nolint:sqlclosecheck // kept for the repo's lifetime, see prepared
	if err != nil {
		return err
	}
	if counter != nil {
		counter.n.Add(1)
	}
	_, err = stmt.ExecContext(ctx, args...)
	return err
}

// queryRow runs p with args as a prepared statement of db's pool and scans its one row into dest
// (sql.ErrNoRows when there is none), counting the round trip when counter is set.
func (p *prepared) queryRow(ctx context.Context, db *bun.DB, counter *RoundTrips, args []any, dest ...any) error {
	stmt, err := p.get(ctx, db) //nolint:sqlclosecheck // kept for the repo's lifetime, see prepared
	if err != nil {
		return err
	}
	if counter != nil {
		counter.n.Add(1)
	}
	return stmt.QueryRowContext(ctx, args...).Scan(dest...)
}
