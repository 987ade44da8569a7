package application

import (
	"context"
	"fmt"
	"slices"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// WhepViewInput is a WHEP offer as the use case needs it: the room, the optional viewing user, which producers to
// play (ProducerIDs, else those of ByUser, else the room's first video and first audio), the player's DTLS
// parameters and, per media section of the offer in order, its kind and what it can receive (nil: a section that
// takes no media).
type WhepViewInput struct {
	RoomID      string
	UserID      string
	ProducerIDs []string
	ByUser      string
	Dtls        domain.DtlsParameters
	Sections    []*WhepSection
}

// WhepSection is one receiving media section of a WHEP offer.
type WhepSection struct {
	Kind            domain.MediaKind
	RtpCapabilities domain.RtpCapabilities
}

// WhepSession is a playing WHEP client: a consumer peer on the room's consumer router and, per offer section, the
// consumer sending into it (nil where the room had nothing of that kind to give).
type WhepSession struct {
	ID        string
	Transport domain.TransportInfo
	Consumers []*ConsumerInfo
}

// Whep runs WHEP sessions with the use cases a mediasoup-client viewer drives: the room's consumer router, a
// consumer peer, its connect, then consume and resume per section, each producer piped in when needed.
type Whep struct {
	d         Deps
	peers     *Peers
	routers   *ConsumerRouters
	consumers *ConsumerPeers
}

// NewWhep builds the WHEP use cases on the existing ones.
func NewWhep(d Deps, peers *Peers, routers *ConsumerRouters, consumers *ConsumerPeers) *Whep {
	return &Whep{d: d, peers: peers, routers: routers, consumers: consumers}
}

// RoomCapabilities returns the capabilities of the room's router (all its routers have the same codecs).
func (u *Whep) RoomCapabilities(ctx context.Context, roomID string) (domain.RtpCapabilities, error) {
	if err := authorize(ctx, "", roomID); err != nil {
		return domain.RtpCapabilities{}, err
	}
	room, err := u.d.Rooms.GetRoom(ctx, roomID)
	if err != nil {
		return domain.RtpCapabilities{}, err
	}
	return room.RtpCapabilities, nil
}

// View picks the producers, creates the consumer peer, connects it and consumes one producer per section of its
// kind, resumed. Any failure closes the peer again.
func (u *Whep) View(ctx context.Context, in WhepViewInput) (WhepSession, error) {
	if err := in.Dtls.Validate(); err != nil {
		return WhepSession{}, err
	}
	if err := authorize(ctx, in.UserID, in.RoomID); err != nil {
		return WhepSession{}, err
	}
	chosen, err := u.pick(ctx, in)
	if err != nil {
		return WhepSession{}, err
	}
	assigned := make([]string, len(in.Sections))
	found := false
	for i, s := range in.Sections {
		if s == nil {
			continue
		}
		at := slices.IndexFunc(chosen, func(p domain.Producer) bool { return p.Kind == s.Kind })
		if at < 0 {
			continue
		}
		assigned[i], found = chosen[at].ID, true
		chosen = slices.Delete(chosen, at, at+1)
	}
	if !found {
		return WhepSession{}, fmt.Errorf("%w: room %s has no producer for the offer's media", domain.ErrProducerNotFound, in.RoomID)
	}
	router, err := u.routers.GetOrCreate(ctx, in.RoomID, in.UserID)
	if err != nil {
		return WhepSession{}, err
	}
	info, err := u.consumers.Create(ctx, router.ID, in.UserID)
	if err != nil {
		return WhepSession{}, err
	}
	fail := func(err error) (WhepSession, error) {
		return WhepSession{}, undo(ctx, err, func(ctx context.Context) error { return u.peers.Close(ctx, info.ID) })
	}
	if err := u.peers.Connect(ctx, info.ID, domain.PeerKindConsumer, in.Dtls); err != nil {
		return fail(err)
	}
	s := WhepSession{ID: info.ID, Transport: info, Consumers: make([]*ConsumerInfo, len(in.Sections))}
	for i, producerID := range assigned {
		if producerID == "" {
			continue
		}
		c, err := u.consumers.Consume(ctx, ConsumeInput{PeerID: info.ID, ProducerID: producerID,
			RtpCapabilities: in.Sections[i].RtpCapabilities, ReceiverPayloadTypes: true})
		if err != nil {
			return fail(err)
		}
		if err := u.consumers.Resume(ctx, info.ID, c.ID); err != nil {
			return fail(err)
		}
		s.Consumers[i] = &c
	}
	return s, nil
}

// pick returns the producers to play, in the order sections take them.
func (u *Whep) pick(ctx context.Context, in WhepViewInput) ([]domain.Producer, error) {
	all, err := u.d.Rooms.ListProducers(ctx, in.RoomID)
	if err != nil {
		return nil, err
	}
	switch {
	case len(in.ProducerIDs) > 0:
		out := make([]domain.Producer, 0, len(in.ProducerIDs))
		for _, id := range in.ProducerIDs {
			at := slices.IndexFunc(all, func(p domain.Producer) bool { return p.ID == id })
			if at < 0 {
				return nil, fmt.Errorf("%w: %s is not a producer of room %s", domain.ErrProducerNotFound, id, in.RoomID)
			}
			out = append(out, all[at])
		}
		return out, nil
	case in.ByUser != "":
		peers, err := u.d.Rooms.ListPeers(ctx, PeerFilter{RoomID: in.RoomID, UserID: in.ByUser, Kind: domain.PeerKindProducer})
		if err != nil {
			return nil, err
		}
		var out []domain.Producer
		for _, p := range all {
			if slices.ContainsFunc(peers, func(peer domain.Peer) bool { return peer.ID == p.PeerID }) {
				out = append(out, p)
			}
		}
		return out, nil
	default:
		return all, nil // oldest first: each section takes the first of its kind
	}
}

// End closes a WHEP session of the room (DELETE on its resource): domain.ErrPeerNotFound when the room has no
// such playing session.
func (u *Whep) End(ctx context.Context, roomID, sessionID string) error {
	peer, err := u.peers.peerOfKind(ctx, sessionID, "")
	if err != nil {
		return err
	}
	if peer.RoomID != roomID || peer.Kind != domain.PeerKindConsumer {
		return fmt.Errorf("%w: room %s has no WHEP session %s", domain.ErrPeerNotFound, roomID, sessionID)
	}
	return u.peers.closePeer(ctx, peer)
}

// Undo ends a session that was created but cannot be answered, returning cause.
func (u *Whep) Undo(ctx context.Context, roomID, sessionID string, cause error) error {
	return undo(ctx, cause, func(ctx context.Context) error { return u.End(ctx, roomID, sessionID) })
}
