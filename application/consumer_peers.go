package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ConsumeInput is the body of POST /consumer_peers/:peerId/consume.
type ConsumeInput struct {
	PeerID          string
	ProducerID      string
	RtpCapabilities domain.RtpCapabilities
	// ReceiverPayloadTypes: the consumer sends with the capabilities' payload types (WHEP), not the router's.
	ReceiverPayloadTypes bool
}

// ConsumerPeers creates consumer peers and their consumers, piping producers in when they live elsewhere.
type ConsumerPeers struct {
	d       Deps
	peers   *Peers
	linker  PipeLinker
	routers *ConsumerRouters
	// sources remembers, by producer id, what consume needs of a producer and never changes (its room, its
	// router); piped remembers the (producer, router) pairs this master has seen piped. Both are checked by the
	// slave's consume: a producer gone or a copy missing there is read again (consume_sources.go).
	sources *memo[string, producerSource]
	piped   *memo[pipedKey, bool]
	// linking is the links of (producer, router) pairs under way: the viewers arriving together share one.
	linking *flights[pipedKey]
	// consumed remembers, by consumer id, the consumers this master made and their peer (neither changes), so
	// the viewer's resume that follows its consume reads nothing; the slave's answer checks it (consumer_resume.go).
	consumed *memo[string, ownedConsumer]
}

// NewConsumerPeers builds the consumer-side use cases.
func NewConsumerPeers(d Deps, peers *Peers, linker PipeLinker) *ConsumerPeers {
	return &ConsumerPeers{d: d, peers: peers, linker: linker, routers: NewConsumerRouters(d),
		sources: newMemo[string, producerSource](), piped: newMemo[pipedKey, bool](), linking: newFlights[pipedKey](),
		consumed: newMemo[string, ownedConsumer]()}
}

// Create makes a consumer peer's WebRTC transport on a consumer router; userID is optional (user_id.go).
func (u *ConsumerPeers) Create(ctx context.Context, routerID, userID string, opts ...PeerOptions) (domain.TransportInfo, error) {
	if err := checkOptionalUserID(userID); err != nil {
		return domain.TransportInfo{}, err
	}
	o, err := mergePeerOptions(opts)
	if err != nil {
		return domain.TransportInfo{}, err
	}
	router, err := u.d.Rooms.GetRouter(ctx, routerID)
	if err != nil {
		return domain.TransportInfo{}, err
	}
	return u.createSpilling(ctx, router, userID, o)
}

// CreateOnRoomRouter is the v4 alias POST /rooms/:roomId/consumer_transports: a consumer transport on the room's
// own producer router, so media needs no pipe.
func (u *ConsumerPeers) CreateOnRoomRouter(ctx context.Context, roomID, userID string, opts ...PeerOptions) (domain.TransportInfo, error) {
	if err := checkOptionalUserID(userID); err != nil {
		return domain.TransportInfo{}, err
	}
	o, err := mergePeerOptions(opts)
	if err != nil {
		return domain.TransportInfo{}, err
	}
	room, err := u.d.Rooms.GetRoom(ctx, roomID)
	if err != nil {
		return domain.TransportInfo{}, err
	}
	return u.peers.create(ctx, room.ID, room.RouterID, room.SlaveID, userID, domain.PeerKindConsumer, o)
}

// validateConsume checks a consume body before any lookup (zero capabilities: the body had none).
func validateConsume(in ConsumeInput) error {
	if in.ProducerID == "" {
		return fmt.Errorf("%w: producerId is required", domain.ErrInvalidInput)
	}
	if in.RtpCapabilities.Codecs == nil && in.RtpCapabilities.HeaderExtensions == nil {
		return fmt.Errorf("%w: rtpCapabilities is required", domain.ErrInvalidInput)
	}
	if len(in.RtpCapabilities.Codecs) == 0 {
		return fmt.Errorf("%w: rtpCapabilities.codecs must not be empty", domain.ErrInvalidInput)
	}
	return in.RtpCapabilities.Validate()
}

// Consume creates a paused consumer of a producer of the peer's room, piping the producer into the peer's router
// first when it was produced on another router.
func (u *ConsumerPeers) Consume(ctx context.Context, in ConsumeInput) (ConsumerInfo, error) {
	if err := validateConsume(in); err != nil {
		return ConsumerInfo{}, err
	}
	if peer, ok := u.peers.made.get(in.PeerID); ok && peer.Kind == domain.PeerKindConsumer {
		// A peer this master made: not read again. When the consume fails, the store says whether the peer is
		// still there: if not, the client gets the answer it always got (peer not found), else the failure.
		if err := authorizePeer(ctx, peer); err != nil {
			return ConsumerInfo{}, err
		}
		info, err := u.consumeOn(ctx, in, peer)
		if err != nil {
			u.peers.made.forget(in.PeerID)
			if _, perr := u.peers.peerOfKind(ctx, in.PeerID, domain.PeerKindConsumer); perr != nil {
				return ConsumerInfo{}, perr
			}
		}
		return info, err
	}
	peer, err := u.peers.peerOfKind(ctx, in.PeerID, domain.PeerKindConsumer)
	if err != nil {
		return ConsumerInfo{}, err
	}
	return u.consumeOn(ctx, in, peer)
}

// consumeOn consumes the producer on peer, which the caller found and authorized.
func (u *ConsumerPeers) consumeOn(ctx context.Context, in ConsumeInput, peer domain.Peer) (ConsumerInfo, error) {
	src, err := u.source(ctx, in.ProducerID)
	if err != nil {
		return ConsumerInfo{}, err
	}
	producer := src.producer
	if producer.RoomID != peer.RoomID {
		return ConsumerInfo{}, fmt.Errorf("%w: producer %s is not in room %s", domain.ErrProducerNotFound, producer.ID, peer.RoomID)
	}
	if err := u.ensurePiped(ctx, src, peer.RouterID); err != nil {
		return ConsumerInfo{}, err
	}
	node, _, err := u.d.nodeOf(ctx, peer.SlaveID)
	if err != nil {
		return ConsumerInfo{}, err
	}
	consumer, err := domain.NewConsumer(u.d.IDs.NewID(), peer.ID, producer.ID, u.d.Clock.Now())
	if err != nil {
		return ConsumerInfo{}, err
	}
	req := ConsumeRequest{TransportID: peer.ID, ConsumerID: consumer.ID, ProducerID: producer.ID, RtpCapabilities: in.RtpCapabilities,
		ReceiverPayloadTypes: in.ReceiverPayloadTypes}
	info, err := node.Consume(ctx, req)
	if errors.Is(err, domain.ErrProducerNotFound) {
		// The store says the producer is piped into this router but the slave has no copy (its pipe consumer was
		// undone by a concurrent failed link, or the copy's BYE raced a re-pipe): pipe it again, once.
		if rerr := u.repipe(ctx, producer.ID, peer.RouterID); rerr != nil {
			return ConsumerInfo{}, errors.Join(fmt.Errorf("consume on slave %s: %w", peer.SlaveID, err), rerr)
		}
		info, err = node.Consume(ctx, req)
	}
	if err != nil {
		return ConsumerInfo{}, fmt.Errorf("consume on slave %s: %w", peer.SlaveID, err)
	}
	if err := u.d.Rooms.CreateConsumer(ctx, consumer); err != nil {
		return ConsumerInfo{}, undo(ctx, fmt.Errorf("store consumer: %w", err), func(ctx context.Context) error {
			return node.CloseConsumer(ctx, consumer.ID)
		})
	}
	info.ID = consumer.ID
	u.consumed.put(consumer.ID, ownedConsumer{consumer: consumer, peer: peer})
	return info, nil
}

// Resume starts a consumer of the peer (POST /consumer_peers/:peerId/resume). peerID "" skips the ownership
// check (the v4 alias POST /consumers/:id/resume).
func (u *ConsumerPeers) Resume(ctx context.Context, peerID, consumerID string) error {
	return u.setResumed(ctx, peerID, consumerID, true)
}

// Pause stops sending to a consumer of the peer until Resume (POST /consumer_peers/:peerId/pause, or
// POST /consumers/:id/pause with peerID ""): mediasoup-client apps pause what they do not show.
func (u *ConsumerPeers) Pause(ctx context.Context, peerID, consumerID string) error {
	return u.setResumed(ctx, peerID, consumerID, false)
}

func (u *ConsumerPeers) setResumed(ctx context.Context, peerID, consumerID string, resumed bool) error {
	if done, err := u.setResumedKnown(ctx, peerID, consumerID, resumed); done {
		return err
	}
	c, peer, err := u.ownedConsumer(ctx, peerID, consumerID)
	if err != nil {
		return err
	}
	node, _, err := u.d.nodeOf(ctx, peer.SlaveID)
	if err != nil {
		return err
	}
	return setConsumerResumed(ctx, node, c.ID, resumed)
}

// setConsumerResumed resumes or pauses a consumer on its slave.
func setConsumerResumed(ctx context.Context, node SFUNode, consumerID string, resumed bool) error {
	call, verb := node.ResumeConsumer, "resume"
	if !resumed {
		call, verb = node.PauseConsumer, "pause"
	}
	if err := call(ctx, consumerID); err != nil {
		return fmt.Errorf("%s consumer %s: %w", verb, consumerID, err)
	}
	return nil
}

// ownedConsumer finds a consumer and its peer for a command on it: consumerID is required; peerID, when not "",
// must be a consumer peer that owns it (else domain.ErrConsumerNotFound); the caller must own the peer.
func (u *ConsumerPeers) ownedConsumer(ctx context.Context, peerID, consumerID string) (domain.Consumer, domain.Peer, error) {
	if consumerID == "" {
		return domain.Consumer{}, domain.Peer{}, fmt.Errorf("%w: consumerId is required", domain.ErrInvalidInput)
	}
	var peer domain.Peer
	if peerID != "" {
		p, err := u.peers.peerOfKind(ctx, peerID, domain.PeerKindConsumer)
		if err != nil {
			return domain.Consumer{}, domain.Peer{}, err
		}
		peer = p
	}
	c, err := u.d.Rooms.GetConsumer(ctx, consumerID)
	if err != nil {
		return domain.Consumer{}, domain.Peer{}, err
	}
	if peerID != "" {
		if c.PeerID != peerID {
			return domain.Consumer{}, domain.Peer{}, fmt.Errorf("%w: consumer %s does not belong to peer %s", domain.ErrConsumerNotFound, consumerID, peerID)
		}
		return c, peer, nil // read and authorized above: not read twice
	}
	peer, err = u.d.Rooms.GetPeer(ctx, c.PeerID)
	if err != nil {
		return domain.Consumer{}, domain.Peer{}, err
	}
	if err := authorizePeer(ctx, peer); err != nil {
		return domain.Consumer{}, domain.Peer{}, err
	}
	return c, peer, nil
}

// linkRouters finds the routers a pipe link of what owner produced into targetRouterID joins; same when the owner
// is on that router already (nothing to pipe). what names the thing in errors.
func (d Deps) linkRouters(ctx context.Context, what, ownerPeerID, targetRouterID string) (source, target domain.Router, same bool, err error) {
	owner, err := d.Rooms.GetPeer(ctx, ownerPeerID)
	if err != nil {
		return source, target, false, fmt.Errorf("%s owner: %w", what, err)
	}
	if owner.RouterID == targetRouterID {
		return source, target, true, nil
	}
	if source, err = d.Rooms.GetRouter(ctx, owner.RouterID); err != nil {
		return source, target, false, err
	}
	target, err = d.Rooms.GetRouter(ctx, targetRouterID)
	return source, target, false, err
}
