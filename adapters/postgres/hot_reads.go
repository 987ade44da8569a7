package postgres

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// prepared is a read the API serves thousands of times a second, run as a prepared statement. Bun interpolates
// arguments into the SQL text, so each of its queries is parsed and planned anew; on PostgreSQL planning the
// producer-peers join cost more than running it (pgbench, that query: 5,500 tps as text, 22,000 prepared).
// database/sql prepares the statement on each pooled connection the first time it runs there; PostgreSQL then
// reuses its plan. Lifecycle: one per query per RoomRepo, prepared at first use, kept until the process exits (the
// statements die with their connections).
type prepared struct {
	query string // "?" placeholders, numbered ($1, $2...) for PostgreSQL at prepare time
	stmt  atomic.Pointer[sql.Stmt]
	mu    sync.Mutex // serializes preparing
}

// hotReads are the reads of the API's polled endpoints (GET /rooms, /rooms/:id, /rooms/:id/producer_peers and its
// v4 alias producer_transports), through coalescers outside transactions, and the by-id reads of a viewer's join:
// prepared statements. One set per
// RoomRepo, shared with its transaction repos.
type hotReads struct {
	producerRows, producerTransports, roomLight, room, roomsPageLight, roomsPage prepared
	// A viewer's join reads its peer (consume, resume) and its consumer (resume) by id.
	peer, consumer prepared
	// consumer_routers reads the room's routers: many viewers of one room at once share one query.
	roomRouters      prepared
	roomRoutersBatch *coalescer[string, []routerReadRow] // by room id
	// ... and writes its peer and its consumer (hot_writes.go).
	insertPeer, insertConsumer prepared

	producerRowsBatch       *coalescer[string, []producerListRow]      // by room id
	producerTransportsBatch *coalescer[string, []producerTransportRow] // by room id
	roomLightBatch          *coalescer[string, []roomReadRow]          // by room id
	roomsPageBatch          *coalescer[[2]int64, []roomReadRow]        // by limit, offset
	peerCountsBatch         *coalescer[string, []peerCountRow]         // by the page's room ids, joined

	counter atomic.Pointer[RoundTrips] // set by NewCountedRepos (tests)
}

func newHotReads() *hotReads {
	return &hotReads{
		producerRows:       prepared{query: producerRowsQuery},
		producerTransports: prepared{query: producerTransportsQuery},
		roomLight:          prepared{query: roomLightQuery},
		room:               prepared{query: roomQuery},
		roomsPageLight:     prepared{query: roomsPageLightQuery},
		roomsPage:          prepared{query: roomsPageQuery},
		peer:               prepared{query: `SELECT id, room_id, router_id, slave_id, user_id, kind, sctp, created_at FROM peers WHERE id = ?`},
		consumer:           prepared{query: `SELECT id, peer_id, producer_id, created_at FROM consumers WHERE id = ?`},
		roomRouters: prepared{query: `SELECT id, room_id, slave_id, role, rtp_capabilities, created_at FROM routers
WHERE room_id = ? ORDER BY created_at, id`},
		insertPeer:              prepared{query: insertPeerQuery},
		insertConsumer:          prepared{query: insertConsumerQuery},
		roomRoutersBatch:        newCoalescer[string, []routerReadRow](),
		producerRowsBatch:       newCoalescer[string, []producerListRow](),
		producerTransportsBatch: newCoalescer[string, []producerTransportRow](),
		roomLightBatch:          newCoalescer[string, []roomReadRow](),
		roomsPageBatch:          newCoalescer[[2]int64, []roomReadRow](),
		peerCountsBatch:         newCoalescer[string, []peerCountRow](),
	}
}

// get returns the statement, preparing it on the first call. A failed prepare (the database is down) is not
// remembered: the next call tries again.
func (p *prepared) get(ctx context.Context, db *bun.DB) (*sql.Stmt, error) {
	if s := p.stmt.Load(); s != nil {
		return s, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.stmt.Load(); s != nil {
		return s, nil
	}
	query := p.query
	if db.Dialect().Name() == dialect.PG {
		query = numberPlaceholders(query)
	}
	s, err := db.DB.PrepareContext(ctx, query) //nolint:sqlclosecheck // kept for the repo's lifetime, see prepared
	if err != nil {
		return nil, err
	}
	p.stmt.Store(s)
	return s, nil
}

// read runs p with args and scans the rows into dest the way bun scans a query's rows. Inside a transaction it
// is an ordinary query on the transaction's connection (a statement of the pool would need another one).
func (r *RoomRepo) read(ctx context.Context, p *prepared, dest any, args ...any) error {
	if r.inTx {
		return r.idb.NewRaw(p.query, args...).Scan(ctx, dest)
	}
	stmt, err := p.get(ctx, r.db) //nolint:sqlclosecheck // kept for the repo's lifetime, see prepared
	if err != nil {
		return err
	}
	if c := r.reads.counter.Load(); c != nil {
		c.n.Add(1)
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := r.db.ScanRows(ctx, rows, dest); err != nil {
		return err
	}
	return rows.Err()
}

// readShared is read through a coalescer: concurrent callers with the same key share one query (outside a
// transaction). The rows returned may be shared with other callers: read-only.
func readShared[K comparable, R any](ctx context.Context, r *RoomRepo, c *coalescer[K, []R], key K, p *prepared,
	args ...any,
) ([]R, error) {
	run := func(ctx context.Context) ([]R, error) {
		var rows []R
		err := r.read(ctx, p, &rows, args...)
		return rows, err
	}
	if r.inTx {
		return run(ctx)
	}
	return c.do(ctx, key, run)
}

// numberPlaceholders turns "?" into PostgreSQL's $1, $2... The queries are this package's constants, with no "?"
// inside a literal.
func numberPlaceholders(query string) string {
	var b strings.Builder
	n := 0
	for {
		i := strings.IndexByte(query, '?')
		if i < 0 {
			b.WriteString(query)
			return b.String()
		}
		n++
		b.WriteString(query[:i])
		b.WriteString("$" + strconv.Itoa(n))
		query = query[i+1:]
	}
}
