package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// producerListRow is one row of producerRowsQuery: a producer with its peer's user, or, for a room without
// producers, the room alone with empty producer columns.
type producerListRow struct {
	ProducerID string `bun:"producer_id"`
	PeerID     string `bun:"peer_id"`
	UserID     string `bun:"user_id"`
	Kind       string `bun:"kind"`
	Paused     bool   `bun:"paused"`
	AppData    string `bun:"app_data"`
}

// producerRowsQuery answers GET /rooms/:roomId/producer_peers in one round trip. Starting from the room makes an
// unknown room (no row) distinguishable from an empty one (one row of NULLs, made empty by COALESCE), so no
// existence check is needed. The peer join keeps producer peers only, as the API's listing of producer peers does.
// rtp_parameters is not read: decoding it was most of the cost of this request.
const producerRowsQuery = `SELECT COALESCE(p.id, '') AS producer_id, COALESCE(p.peer_id, '') AS peer_id,
	COALESCE(pe.user_id, '') AS user_id, COALESCE(p.kind, '') AS kind, COALESCE(p.paused, false) AS paused,
	COALESCE(p.app_data, '') AS app_data
FROM rooms AS r
LEFT JOIN producers AS p ON p.room_id = r.id
LEFT JOIN peers AS pe ON pe.id = p.peer_id AND pe.kind = ?
WHERE r.id = ?
ORDER BY p.created_at, p.id`

// ListProducerRows returns one row per producer of the room, oldest first, with its peer's user (when the peer is a
// producer peer); domain.ErrRoomNotFound when the room is unknown.
func (r *RoomRepo) ListProducerRows(ctx context.Context, roomID string) ([]application.ProducerPeerRow, error) {
	rows, err := readShared(ctx, r, r.reads.producerRowsBatch, roomID, &r.reads.producerRows,
		string(domain.PeerKindProducer), roomID)
	if err != nil {
		return nil, dbErr("list producer rows", err, nil)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("room %q: %w", roomID, domain.ErrRoomNotFound)
	}
	out := make([]application.ProducerPeerRow, 0, len(rows))
	for _, row := range rows {
		if row.ProducerID == "" { // the room without producers
			continue
		}
		out = append(out, application.ProducerPeerRow{ID: row.PeerID, UserID: row.UserID, ProducerID: row.ProducerID,
			Kind: domain.MediaKind(row.Kind), Paused: row.Paused, AppData: domain.AppDataOrEmpty(json.RawMessage(row.AppData))})
	}
	return out, nil
}

// producerTransportRow is one row of producerTransportsQuery: a producer peer with one of its producers, or alone
// (empty producer columns) when it has none; for a room without producer peers, the room alone (all empty).
type producerTransportRow struct {
	PeerID     string `bun:"peer_id"`
	UserID     string `bun:"user_id"`
	ProducerID string `bun:"producer_id"`
	Kind       string `bun:"kind"`
}

// producerTransportsQuery answers the v4 GET /rooms/:roomId/producer_transports in one round trip, the way
// producerRowsQuery does; ordered by peer, so the rows of a peer are contiguous.
const producerTransportsQuery = `SELECT COALESCE(pe.id, '') AS peer_id, COALESCE(pe.user_id, '') AS user_id,
	COALESCE(p.id, '') AS producer_id, COALESCE(p.kind, '') AS kind
FROM rooms AS r
LEFT JOIN peers AS pe ON pe.room_id = r.id AND pe.kind = ?
LEFT JOIN producers AS p ON p.peer_id = pe.id AND p.room_id = r.id
WHERE r.id = ?
ORDER BY pe.created_at, pe.id, p.created_at, p.id`

// ListProducerTransports returns the producer peers of the room, oldest first, each with its producers oldest
// first; domain.ErrRoomNotFound when the room is unknown.
func (r *RoomRepo) ListProducerTransports(ctx context.Context, roomID string) ([]application.ProducerTransportView, error) {
	rows, err := readShared(ctx, r, r.reads.producerTransportsBatch, roomID, &r.reads.producerTransports,
		string(domain.PeerKindProducer), roomID)
	if err != nil {
		return nil, dbErr("list producer transports", err, nil)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("room %q: %w", roomID, domain.ErrRoomNotFound)
	}
	out := []application.ProducerTransportView{}
	for _, row := range rows {
		if row.PeerID == "" { // the room without producer peers
			continue
		}
		if len(out) == 0 || out[len(out)-1].ID != row.PeerID {
			out = append(out, application.ProducerTransportView{ID: row.PeerID, UserID: row.UserID,
				Producers: []application.ProducerView{}})
		}
		if row.ProducerID != "" {
			last := &out[len(out)-1]
			last.Producers = append(last.Producers, application.ProducerView{ID: row.ProducerID,
				Kind: domain.MediaKind(row.Kind)})
		}
	}
	return out, nil
}
