package memory

import (
	"maps"
	"sort"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// row keeps a record with its insertion sequence, the tie-breaker that makes "oldest first" stable when two
// records share a created_at.
type row[T any] struct {
	v   T
	seq uint64
}

type pipedKey struct{ pipeID, producerID string }

// state is everything a RoomRepo holds. Stored values are never mutated in place (an update replaces the map
// entry), so clone only copies the maps: a transaction's snapshot shares record values with the committed state.
type state struct {
	seq       uint64
	rooms     map[string]row[domain.Room]
	routers   map[string]row[domain.Router]
	peers     map[string]row[domain.Peer]
	producers map[string]row[domain.Producer]
	consumers map[string]row[domain.Consumer]
	pipes     map[string]row[domain.Pipe]
	piped     map[pipedKey]uint64
	dataProds map[string]row[domain.DataProducer]
	dataCons  map[string]row[domain.DataConsumer]
}

func newState() *state {
	return &state{
		rooms:     map[string]row[domain.Room]{},
		routers:   map[string]row[domain.Router]{},
		peers:     map[string]row[domain.Peer]{},
		producers: map[string]row[domain.Producer]{},
		consumers: map[string]row[domain.Consumer]{},
		pipes:     map[string]row[domain.Pipe]{},
		piped:     map[pipedKey]uint64{},
		dataProds: map[string]row[domain.DataProducer]{},
		dataCons:  map[string]row[domain.DataConsumer]{},
	}
}

func (s *state) clone() *state {
	return &state{
		seq:       s.seq,
		rooms:     maps.Clone(s.rooms),
		routers:   maps.Clone(s.routers),
		peers:     maps.Clone(s.peers),
		producers: maps.Clone(s.producers),
		consumers: maps.Clone(s.consumers),
		pipes:     maps.Clone(s.pipes),
		piped:     maps.Clone(s.piped),
		dataProds: maps.Clone(s.dataProds),
		dataCons:  maps.Clone(s.dataCons),
	}
}

func (s *state) next() uint64 {
	s.seq++
	return s.seq
}

// selectRows returns the records keep accepts, oldest first (created_at, then insertion order).
func selectRows[T any](m map[string]row[T], createdAt func(T) time.Time, keep func(T) bool) []T {
	rows := make([]row[T], 0, len(m))
	for _, r := range m {
		if keep == nil || keep(r.v) {
			rows = append(rows, r)
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		ti, tj := createdAt(rows[i].v), createdAt(rows[j].v)
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return rows[i].seq < rows[j].seq
	})
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = r.v
	}
	return out
}
