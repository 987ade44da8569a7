package postgres

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Row structs mirror the migrations' tables. They are separate from the domain types so that neither a column
// rename nor a domain change leaks into the other; the mapping below is the only place they meet. Times are
// returned in UTC whatever the driver hands back.

type roomRow struct {
	bun.BaseModel `bun:"table:rooms"`

	ID       string `bun:"id,pk"`
	SlaveID  string `bun:"slave_id,notnull"`
	RouterID string `bun:"router_id,notnull"`
	// RtpCapabilities of the room's router, so reading a room needs no slave call.
	RtpCapabilities domain.RtpCapabilities `bun:"rtp_capabilities,type:jsonb,notnull"`
	CreatedAt       time.Time              `bun:"created_at,notnull"`
	OwnerID         string                 `bun:"owner_id,nullzero"`
}

func roomToRow(r domain.Room) *roomRow {
	return &roomRow{ID: r.ID, SlaveID: r.SlaveID, RouterID: r.RouterID, RtpCapabilities: r.RtpCapabilities, CreatedAt: r.CreatedAt,
		OwnerID: r.OwnerID}
}

func (r roomRow) domain() domain.Room {
	return domain.Room{ID: r.ID, SlaveID: r.SlaveID, RouterID: r.RouterID, RtpCapabilities: r.RtpCapabilities,
		CreatedAt: r.CreatedAt.UTC(), OwnerID: r.OwnerID}
}

type routerRow struct {
	bun.BaseModel `bun:"table:routers"`

	ID      string `bun:"id,pk"`
	RoomID  string `bun:"room_id,notnull"`
	SlaveID string `bun:"slave_id,notnull"`
	Role    string `bun:"role,notnull"`
	// RtpCapabilities the slave generated for this router (the answer of consumer_routers).
	RtpCapabilities domain.RtpCapabilities `bun:"rtp_capabilities,type:jsonb,notnull"`
	CreatedAt       time.Time              `bun:"created_at,notnull"`
}

func routerToRow(r domain.Router) *routerRow {
	return &routerRow{ID: r.ID, RoomID: r.RoomID, SlaveID: r.SlaveID, Role: string(r.Role), RtpCapabilities: r.RtpCapabilities,
		CreatedAt: r.CreatedAt}
}

type peerRow struct {
	bun.BaseModel `bun:"table:peers"`

	ID        string    `bun:"id,pk"`
	RoomID    string    `bun:"room_id,notnull"`
	RouterID  string    `bun:"router_id,notnull"`
	SlaveID   string    `bun:"slave_id,notnull"`
	UserID    string    `bun:"user_id,notnull"`
	Kind      string    `bun:"kind,notnull"`
	Sctp      bool      `bun:"sctp,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

func peerToRow(p domain.Peer) *peerRow {
	return &peerRow{ID: p.ID, RoomID: p.RoomID, RouterID: p.RouterID, SlaveID: p.SlaveID, UserID: p.UserID,
		Kind: string(p.Kind), Sctp: p.Sctp, CreatedAt: p.CreatedAt}
}

func (r peerRow) domain() domain.Peer {
	return domain.Peer{ID: r.ID, RoomID: r.RoomID, RouterID: r.RouterID, SlaveID: r.SlaveID, UserID: r.UserID,
		Kind: domain.PeerKind(r.Kind), Sctp: r.Sctp, CreatedAt: r.CreatedAt.UTC()}
}

type producerRow struct {
	bun.BaseModel `bun:"table:producers"`

	ID            string               `bun:"id,pk"`
	PeerID        string               `bun:"peer_id,notnull"`
	RoomID        string               `bun:"room_id,notnull"`
	Kind          string               `bun:"kind,notnull"`
	RtpParameters domain.RtpParameters `bun:"rtp_parameters,type:jsonb,notnull"`
	Paused        bool                 `bun:"paused,notnull"`
	// AppData is the JSON text the client sent (compacted, checked by the use case), in a text column: answered
	// byte for byte as stored on both dialects (jsonb would re-format it).
	AppData   string    `bun:"app_data,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

func producerToRow(p domain.Producer) *producerRow {
	return &producerRow{ID: p.ID, PeerID: p.PeerID, RoomID: p.RoomID, Kind: string(p.Kind),
		RtpParameters: p.RtpParameters, Paused: p.Paused, AppData: string(domain.AppDataOrEmpty(p.AppData)), CreatedAt: p.CreatedAt}
}

func (r producerRow) domain() domain.Producer {
	return domain.Producer{ID: r.ID, PeerID: r.PeerID, RoomID: r.RoomID, Kind: domain.MediaKind(r.Kind),
		RtpParameters: r.RtpParameters, Paused: r.Paused, AppData: domain.AppDataOrEmpty(json.RawMessage(r.AppData)),
		CreatedAt: r.CreatedAt.UTC()}
}

type consumerRow struct {
	bun.BaseModel `bun:"table:consumers"`

	ID         string    `bun:"id,pk"`
	PeerID     string    `bun:"peer_id,notnull"`
	ProducerID string    `bun:"producer_id,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
}

func consumerToRow(c domain.Consumer) *consumerRow {
	return &consumerRow{ID: c.ID, PeerID: c.PeerID, ProducerID: c.ProducerID, CreatedAt: c.CreatedAt}
}

func (r consumerRow) domain() domain.Consumer {
	return domain.Consumer{ID: r.ID, PeerID: r.PeerID, ProducerID: r.ProducerID, CreatedAt: r.CreatedAt.UTC()}
}

type pipeRow struct {
	bun.BaseModel `bun:"table:pipes"`

	ID                string    `bun:"id,pk"`
	SourceRouterID    string    `bun:"source_router_id,notnull"`
	TargetRouterID    string    `bun:"target_router_id,notnull"`
	SourceTransportID string    `bun:"source_transport_id,notnull"`
	TargetTransportID string    `bun:"target_transport_id,notnull"`
	Ready             bool      `bun:"ready,notnull"`
	CreatedAt         time.Time `bun:"created_at,notnull"`
}

func pipeToRow(p domain.Pipe) *pipeRow {
	return &pipeRow{ID: p.ID, SourceRouterID: p.SourceRouterID, TargetRouterID: p.TargetRouterID,
		SourceTransportID: p.SourceTransportID, TargetTransportID: p.TargetTransportID, Ready: p.Ready,
		CreatedAt: p.CreatedAt}
}

func (r pipeRow) domain() domain.Pipe {
	return domain.Pipe{ID: r.ID, SourceRouterID: r.SourceRouterID, TargetRouterID: r.TargetRouterID,
		SourceTransportID: r.SourceTransportID, TargetTransportID: r.TargetTransportID, Ready: r.Ready,
		CreatedAt: r.CreatedAt.UTC()}
}

type pipedProducerRow struct {
	bun.BaseModel `bun:"table:piped_producers"`

	PipeID     string    `bun:"pipe_id,pk"`
	ProducerID string    `bun:"producer_id,pk"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
}

type slaveRow struct {
	bun.BaseModel `bun:"table:slaves"`

	ID             string           `bun:"id,pk"`
	Role           string           `bun:"role,notnull"`
	APIURL         string           `bun:"api_url,notnull"`
	MaxTransports  int              `bun:"max_transports,notnull"`
	TransportCount int              `bun:"transport_count,scanonly"` // the sum of its slave_slots (slotsUsed)
	Load           domain.SlaveLoad `bun:"load,type:jsonb,notnull"`
	Status         string           `bun:"status,notnull"`
	LastSeenAt     time.Time        `bun:"last_seen_at,notnull"`
	CreatedAt      time.Time        `bun:"created_at,notnull"`
	SuspectSince   time.Time        `bun:"suspect_since,nullzero"`
}

func slaveToRow(s domain.Slave) *slaveRow {
	return &slaveRow{ID: s.ID, Role: string(s.Role), APIURL: s.APIURL, MaxTransports: s.MaxTransports,
		TransportCount: s.TransportCount, Load: s.Load, Status: string(s.Status), LastSeenAt: s.LastSeenAt,
		CreatedAt: s.CreatedAt, SuspectSince: s.SuspectSince}
}

func (r slaveRow) domain() domain.Slave {
	return domain.Slave{ID: r.ID, Role: domain.SlaveRole(r.Role), APIURL: r.APIURL, MaxTransports: r.MaxTransports,
		TransportCount: r.TransportCount, Load: r.Load, Status: domain.SlaveStatus(r.Status),
		LastSeenAt: r.LastSeenAt.UTC(), CreatedAt: r.CreatedAt.UTC(), SuspectSince: utcOrZero(r.SuspectSince)}
}

// toDomain maps a slice of rows.
func toDomain[R interface{ domain() T }, T any](rows []R) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out
}

// utcOrZero is t in UTC, the zero time staying zero (a NULL column).
func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
