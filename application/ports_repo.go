package application

import (
	"context"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Page selects a page of a list (1-based).
type Page struct {
	Page     int
	PageSize int
}

// PeerFilter selects peers; empty fields match everything.
type PeerFilter struct {
	RoomID   string
	RouterID string
	UserID   string
	SlaveID  string
	Kind     domain.PeerKind
}

// PeerCounts are a room's producer peers (publishers' transports) and consumer peers (viewers' transports).
type PeerCounts struct {
	Producers, Consumers int
}

// RouterUse is a router (without its capabilities) and whether it, and its room, have peers: the janitor's view.
type RouterUse struct {
	Router                 domain.Router
	HasPeers, RoomHasPeers bool
}

// StoreCounts are the number of rows of each kind (the master's gauges).
type StoreCounts struct {
	Rooms, Routers, Peers, Producers, Consumers, Pipes int
	// PipedProducers counts (pipe, producer) rows: producers made consumable across a pipe.
	PipedProducers int
	DataProducers  int
	DataConsumers  int
}

// RoomRepo stores rooms and everything they own. Every Get* returns the matching domain.Err*NotFound when the id
// is unknown; Create* returns domain.ErrConflict on a duplicate unique key. Deletes cascade the way ownership does:
// room → routers, peers; peer → producers, consumers, data producers, data consumers; producer → consumers,
// piped_producers; data producer → data consumers; router → its peers and the pipes of it. CreatePeer needs an existing room and router.
type RoomRepo interface {
	// WithinTx runs fn with a repo whose writes commit together, or not at all when fn returns an error.
	WithinTx(ctx context.Context, fn func(tx RoomRepo) error) error

	CreateRoom(ctx context.Context, r domain.Room) error
	GetRoom(ctx context.Context, id string) (domain.Room, error)
	// ListRooms returns a page of rooms, oldest first, and the total count.
	ListRooms(ctx context.Context, p Page) ([]domain.Room, int, error)
	DeleteRoom(ctx context.Context, id string) error
	// MoveRoom points a room at its new router on another producer slave (its producer slave died); the room's
	// capabilities stay. domain.ErrRoomNotFound when unknown.
	MoveRoom(ctx context.Context, id, slaveID, routerID string) error

	// CreateRouter returns domain.ErrConflict when (room, slave) already has a router.
	CreateRouter(ctx context.Context, r domain.Router) error
	GetRouter(ctx context.Context, id string) (domain.Router, error)
	// ListRouters returns the routers of a room ("" for every room's), oldest first.
	ListRouters(ctx context.Context, roomID string) ([]domain.Router, error)
	// ListRouterUse returns every router, oldest first, with whether it and its room have peers, without
	// reading the peers (a live event's audience is many more rows than its routers).
	ListRouterUse(ctx context.Context) ([]RouterUse, error)
	DeleteRouter(ctx context.Context, id string) error

	CreatePeer(ctx context.Context, p domain.Peer) error
	GetPeer(ctx context.Context, id string) (domain.Peer, error)
	ListPeers(ctx context.Context, f PeerFilter) ([]domain.Peer, error)
	// CountPeers returns, for each of roomIDs that has peers, how many of each kind it has (GET /rooms).
	CountPeers(ctx context.Context, roomIDs []string) (map[string]PeerCounts, error)
	DeletePeer(ctx context.Context, id string) error

	CreateProducer(ctx context.Context, p domain.Producer) error
	GetProducer(ctx context.Context, id string) (domain.Producer, error)
	// ListProducers returns the producers of a room, oldest first.
	ListProducers(ctx context.Context, roomID string) ([]domain.Producer, error)
	// ListProducerRows returns one row per producer of a room, oldest first: its id, kind and paused flag, its
	// peer's id, and the peer's user when the peer is a producer peer. It is GET /rooms/:roomId/producer_peers in one
	// read, without the producers' rtpParameters. domain.ErrRoomNotFound when the room is unknown.
	ListProducerRows(ctx context.Context, roomID string) ([]ProducerPeerRow, error)
	// ListProducerTransports returns the producer peers of a room, oldest first, each with its producers (of the
	// room) oldest first, an empty list for none: the v4 GET /rooms/:roomId/producer_transports in one read.
	// domain.ErrRoomNotFound when the room is unknown.
	ListProducerTransports(ctx context.Context, roomID string) ([]ProducerTransportView, error)
	SetProducerPaused(ctx context.Context, id string, paused bool) error
	DeleteProducer(ctx context.Context, id string) error

	CreateConsumer(ctx context.Context, c domain.Consumer) error
	GetConsumer(ctx context.Context, id string) (domain.Consumer, error)
	// ListConsumers returns the consumers of a peer.
	ListConsumers(ctx context.Context, peerID string) ([]domain.Consumer, error)
	DeleteConsumer(ctx context.Context, id string) error

	// CreateDataProducer needs an existing peer (domain.ErrPeerNotFound); domain.ErrConflict on a duplicate id.
	CreateDataProducer(ctx context.Context, p domain.DataProducer) error
	GetDataProducer(ctx context.Context, id string) (domain.DataProducer, error)
	// ListDataProducers returns the data producers of a room, oldest first.
	ListDataProducers(ctx context.Context, roomID string) ([]domain.DataProducer, error)
	DeleteDataProducer(ctx context.Context, id string) error
	// CreateDataConsumer needs an existing peer and data producer (domain.ErrPeerNotFound,
	// domain.ErrDataProducerNotFound); domain.ErrConflict on a duplicate id.
	CreateDataConsumer(ctx context.Context, c domain.DataConsumer) error
	GetDataConsumer(ctx context.Context, id string) (domain.DataConsumer, error)
	// ListDataConsumers returns the data consumers of a peer, oldest first.
	ListDataConsumers(ctx context.Context, peerID string) ([]domain.DataConsumer, error)
	DeleteDataConsumer(ctx context.Context, id string) error

	// CreatePipe returns domain.ErrConflict when the (source, target) router pair already has a pipe.
	CreatePipe(ctx context.Context, p domain.Pipe) error
	GetPipe(ctx context.Context, id string) (domain.Pipe, error)
	// FindPipe returns the pipe of a router pair or domain.ErrPipeNotFound.
	FindPipe(ctx context.Context, sourceRouterID, targetRouterID string) (domain.Pipe, error)
	// ListPipes returns the pipes that start or end at a router.
	ListPipes(ctx context.Context, routerID string) ([]domain.Pipe, error)
	// MarkPipeReady records both transport ids and sets Ready.
	MarkPipeReady(ctx context.Context, id, sourceTransportID, targetTransportID string) error
	DeletePipe(ctx context.Context, id string) error
	// AddPipedProducer returns domain.ErrConflict when the producer is already on the pipe.
	AddPipedProducer(ctx context.Context, pipeID, producerID string) error
	ListPipedProducers(ctx context.Context, pipeID string) ([]string, error)
	RemovePipedProducer(ctx context.Context, pipeID, producerID string) error

	// Counts returns how many rows of each kind exist.
	Counts(ctx context.Context) (StoreCounts, error)
}

// SlaveRepo stores registered slaves and their capacity. Reservation is atomic: two masters on one database never
// reserve the same last slot.
type SlaveRepo interface {
	// Upsert registers a slave; a slave registering again with the same APIURL replaces the old record, whose id is
	// returned in replaced ("" when new) so the caller can clean what it owned.
	Upsert(ctx context.Context, s domain.Slave) (replaced string, err error)
	Get(ctx context.Context, id string) (domain.Slave, error)
	List(ctx context.Context) ([]domain.Slave, error)
	// Heartbeat records the load an alive slave reports and clears its suspicion; domain.ErrSlaveNotFound for
	// unknown and dead slaves (a
	// dead slave's rows were cleaned: it registers again).
	Heartbeat(ctx context.Context, id string, load domain.SlaveLoad, now time.Time) error
	Delete(ctx context.Context, id string) error
	// PickSlave returns the least-loaded alive, not draining slave of a role that has a free transport slot (by reserved
	// transports relative to capacity, then CPU), or domain.ErrNoSlaveCapacity. It reserves nothing.
	PickSlave(ctx context.Context, role domain.SlaveRole) (domain.Slave, error)
	// ReserveTransport takes one transport slot of an alive, not suspect slave atomically, or returns
	// domain.ErrNoSlaveCapacity.
	ReserveTransport(ctx context.Context, slaveID string) error
	// ReleaseTransport gives a slot back (never below zero).
	ReleaseTransport(ctx context.Context, slaveID string) error
	// MarkSuspect records that a call to an alive slave got no answer (domain.Slave.SuspectSince = now, unless it is
	// suspect already) and reports whether it was not suspect before; the slave's next heartbeat clears it. Unknown
	// and dead slaves are not an error (false).
	MarkSuspect(ctx context.Context, id string, now time.Time) (bool, error)
	// MarkDead marks alive slaves last seen before cutoff as dead and returns them.
	MarkDead(ctx context.Context, cutoff time.Time) ([]domain.Slave, error)
}
