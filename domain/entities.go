package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

// The cluster's records, as the master stores them. Fields are exported so adapters can map rows without a
// second set of accessors; the New* constructors are how use cases create them, and they reject what is invalid.

// Room is a conference: it owns the producer router on one producer slave.
type Room struct {
	ID       string
	SlaveID  string // producer slave holding the room's router
	RouterID string // the room's producer router
	// RtpCapabilities of the room's router, kept so GET /rooms/:id needs no slave call.
	RtpCapabilities RtpCapabilities
	CreatedAt       time.Time
	// OwnerID is the user who created the room, when client tokens were on ("" otherwise): only that user, or an
	// admin token, may delete it.
	OwnerID string
}

// NewRoom validates the ids a room needs.
func NewRoom(id, slaveID, routerID string, now time.Time) (Room, error) {
	if err := requireIDs("room", map[string]string{"id": id, "slaveId": slaveID, "routerId": routerID}); err != nil {
		return Room{}, err
	}
	return Room{ID: id, SlaveID: slaveID, RouterID: routerID, CreatedAt: now}, nil
}

// Router is a router of a room on one slave: the room's producer router or a consumer router.
// At most one router per (room, slave).
type Router struct {
	ID      string
	RoomID  string
	SlaveID string
	Role    SlaveRole // role of the slave it lives on: producer (the room's own) or consumer
	// RtpCapabilities the slave generated for this router (answer of consumer_routers).
	RtpCapabilities RtpCapabilities
	CreatedAt       time.Time
}

// NewRouter validates a router record.
func NewRouter(id, roomID, slaveID string, role SlaveRole, now time.Time) (Router, error) {
	if err := requireIDs("router", map[string]string{"id": id, "roomId": roomID, "slaveId": slaveID}); err != nil {
		return Router{}, err
	}
	if _, err := ParseSlaveRole(string(role)); err != nil {
		return Router{}, err
	}
	return Router{ID: id, RoomID: roomID, SlaveID: slaveID, Role: role, CreatedAt: now}, nil
}

// Peer is one client transport (a WebRTC transport on a slave), producing or consuming.
type Peer struct {
	ID       string // also the transport id on the slave
	RoomID   string
	RouterID string
	SlaveID  string
	UserID   string
	Kind     PeerKind
	// Sctp: the transport runs SCTP (created with sctpCapabilities or enableSctp), so it may carry data channels.
	Sctp      bool
	CreatedAt time.Time
}

// NewPeer validates a peer record.
func NewPeer(id, roomID, routerID, slaveID, userID string, kind PeerKind, now time.Time) (Peer, error) {
	if err := requireIDs("peer", map[string]string{"id": id, "roomId": roomID, "routerId": routerID, "slaveId": slaveID}); err != nil {
		return Peer{}, err
	}
	if err := ValidateUserID(userID); err != nil {
		return Peer{}, err
	}
	if kind != PeerKindProducer && kind != PeerKindConsumer {
		return Peer{}, fmt.Errorf("%w: peer kind %q", ErrInvalidInput, kind)
	}
	return Peer{ID: id, RoomID: roomID, RouterID: routerID, SlaveID: slaveID, UserID: userID, Kind: kind, CreatedAt: now}, nil
}

// ValidateUserID requires a userId that follows the identifier rule (ValidateIdentifier).
func ValidateUserID(userID string) error { return ValidateIdentifier("userId", userID) }

// Producer is a media track sent by a producer peer.
type Producer struct {
	ID            string
	PeerID        string
	RoomID        string
	Kind          MediaKind
	RtpParameters RtpParameters
	Paused        bool
	// AppData is what the client attached to it (mediasoup-client's appData, e.g. {"source":"screen"}): a JSON
	// object other clients read in the producer list and the room's events.
	AppData   json.RawMessage
	CreatedAt time.Time
}

// NewProducer validates kind and parameters.
func NewProducer(id, peerID, roomID string, kind MediaKind, params RtpParameters, now time.Time) (Producer, error) {
	if err := requireIDs("producer", map[string]string{"id": id, "peerId": peerID, "roomId": roomID}); err != nil {
		return Producer{}, err
	}
	if _, err := ParseMediaKind(string(kind)); err != nil {
		return Producer{}, err
	}
	if err := params.Validate(kind); err != nil {
		return Producer{}, err
	}
	return Producer{ID: id, PeerID: peerID, RoomID: roomID, Kind: kind, RtpParameters: params, AppData: json.RawMessage("{}"), CreatedAt: now}, nil
}

// Consumer is a producer's media delivered to a consumer peer.
type Consumer struct {
	ID         string
	PeerID     string
	ProducerID string
	CreatedAt  time.Time
}

// NewConsumer validates a consumer record.
func NewConsumer(id, peerID, producerID string, now time.Time) (Consumer, error) {
	if err := requireIDs("consumer", map[string]string{"id": id, "peerId": peerID, "producerId": producerID}); err != nil {
		return Consumer{}, err
	}
	return Consumer{ID: id, PeerID: peerID, ProducerID: producerID, CreatedAt: now}, nil
}

// Pipe links two routers on two slaves: one pipe transport on each, carrying every piped producer.
type Pipe struct {
	ID                string
	SourceRouterID    string
	TargetRouterID    string
	SourceTransportID string
	TargetTransportID string
	Ready             bool // both transports created and connected; losers of a creation race wait for it
	CreatedAt         time.Time
}

// NewPipe validates a pipe record (pending until both transports exist).
func NewPipe(id, sourceRouterID, targetRouterID string, now time.Time) (Pipe, error) {
	if err := requireIDs("pipe", map[string]string{"id": id, "sourceRouterId": sourceRouterID, "targetRouterId": targetRouterID}); err != nil {
		return Pipe{}, err
	}
	if sourceRouterID == targetRouterID {
		return Pipe{}, fmt.Errorf("%w: a pipe needs two different routers", ErrInvalidInput)
	}
	return Pipe{ID: id, SourceRouterID: sourceRouterID, TargetRouterID: targetRouterID, CreatedAt: now}, nil
}

// Slave is an SFU node registered with the master.
type Slave struct {
	ID             string
	Role           SlaveRole
	APIURL         string // base URL of its internal API, e.g. http://10.0.0.5:3011
	MaxTransports  int
	TransportCount int // reserved by the master; the capacity check uses this
	Load           SlaveLoad
	Status         SlaveStatus
	LastSeenAt     time.Time
	CreatedAt      time.Time
	// SuspectSince is when a call of the master's to the slave failed without an answer (connection refused, reset
	// or timed out) since its last heartbeat; zero when none did. A suspect slave gets nothing new (Placeable) until
	// its next heartbeat shows it alive, or SLAVE_TIMEOUT of silence marks it dead.
	SuspectSince time.Time
}

// Suspect reports whether a call to the slave failed without an answer since its last heartbeat.
func (s Slave) Suspect() bool { return !s.SuspectSince.IsZero() }

// SlaveLoad is what a slave reports in its heartbeat.
type SlaveLoad struct {
	Transports int     `json:"transports"`
	Routers    int     `json:"routers"`
	Producers  int     `json:"producers"`
	Consumers  int     `json:"consumers"`
	CPU        float64 `json:"cpu"` // fraction of one core used since the last heartbeat
	// PacketsOut is the RTP packets the slave sent since it started; CPUSeconds the CPU time it used (load tools
	// divide one by the other).
	PacketsOut uint64  `json:"packetsOut"`
	CPUSeconds float64 `json:"cpuSeconds"`
	// ReceiveDrops is the datagrams the kernel dropped on the slave's media sockets since it started (a full
	// receive buffer: the slave did not keep up); operators see it in GET /slaves.
	ReceiveDrops uint64 `json:"receiveDrops"`
	// Draining is set by a slave that is stopping gracefully and waits for its calls to end (DRAIN_TIMEOUT): the
	// master places no new room or consumer router on it, while the calls it has go on.
	Draining bool `json:"draining,omitempty"`
}

// Placeable reports whether the master may put new routers on the slave: alive, not suspect, not draining, with a
// free slot.
func (s Slave) Placeable() bool {
	return s.Status == SlaveStatusAlive && !s.Suspect() && !s.Load.Draining && s.HasCapacity()
}

// NewSlave validates a registration.
func NewSlave(id string, role SlaveRole, apiURL string, maxTransports int, now time.Time) (Slave, error) {
	if err := requireIDs("slave", map[string]string{"id": id, "apiUrl": apiURL}); err != nil {
		return Slave{}, err
	}
	if _, err := ParseSlaveRole(string(role)); err != nil {
		return Slave{}, err
	}
	if maxTransports <= 0 {
		return Slave{}, fmt.Errorf("%w: maxTransports must be positive", ErrInvalidInput)
	}
	return Slave{ID: id, Role: role, APIURL: apiURL, MaxTransports: maxTransports, Status: SlaveStatusAlive,
		LastSeenAt: now, CreatedAt: now}, nil
}

// HasCapacity reports whether one more transport fits.
func (s Slave) HasCapacity() bool { return s.TransportCount < s.MaxTransports }

func requireIDs(what string, ids map[string]string) error {
	for name, v := range ids {
		if v == "" {
			return fmt.Errorf("%w: %s %s is required", ErrInvalidInput, what, name)
		}
	}
	return nil
}
