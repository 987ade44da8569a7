package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// WhipTrack is one media section of a WHIP offer, already translated into a produce request.
type WhipTrack struct {
	Kind          domain.MediaKind
	RtpParameters domain.RtpParameters
}

// WhipPublishInput is a WHIP offer as the use case needs it: the room, the optional user, the publisher's DTLS
// parameters (its role and fingerprints from the offer) and its tracks.
type WhipPublishInput struct {
	RoomID string
	UserID string
	Dtls   domain.DtlsParameters
	Tracks []WhipTrack
}

// WhipSession is a publishing WHIP client: a producer peer with its transport and its producers (in track order).
type WhipSession struct {
	ID          string
	Transport   domain.TransportInfo
	ProducerIDs []string
}

// Whip runs WHIP (RFC 9725) sessions with the use cases a mediasoup-client app drives: a producer peer, its
// connect, one produce per track. A session is its producer peer; ending it closes the peer.
type Whip struct {
	rooms     *Rooms
	peers     *Peers
	producers *ProducerPeers
}

// NewWhip builds the WHIP use cases on the existing ones.
func NewWhip(rooms *Rooms, peers *Peers, producers *ProducerPeers) *Whip {
	return &Whip{rooms: rooms, peers: peers, producers: producers}
}

// RoomCapabilities returns the room's router capabilities, the codecs and header extensions an offer is matched
// against (domain.ErrRoomNotFound, domain.ErrForbidden as GET /rooms/:id).
func (u *Whip) RoomCapabilities(ctx context.Context, roomID string) (domain.RtpCapabilities, error) {
	room, err := u.rooms.Get(ctx, roomID)
	if err != nil {
		return domain.RtpCapabilities{}, err
	}
	return room.RtpCapabilities, nil
}

// Publish creates the producer peer, connects it with the offer's DTLS parameters and produces every track. Any
// failure closes the peer again, so a refused offer leaves nothing on the slaves or in the store.
func (u *Whip) Publish(ctx context.Context, in WhipPublishInput) (WhipSession, error) {
	if len(in.Tracks) == 0 {
		return WhipSession{}, fmt.Errorf("%w: the offer has no audio or video to publish", domain.ErrInvalidInput)
	}
	if err := in.Dtls.Validate(); err != nil {
		return WhipSession{}, err
	}
	for _, t := range in.Tracks {
		if err := validateProduce(ProduceInput{Kind: t.Kind, RtpParameters: t.RtpParameters}); err != nil {
			return WhipSession{}, err
		}
	}
	info, err := u.producers.Create(ctx, in.RoomID, in.UserID)
	if err != nil {
		return WhipSession{}, err
	}
	s := WhipSession{ID: info.ID, Transport: info}
	fail := func(err error) (WhipSession, error) {
		return WhipSession{}, undo(ctx, err, func(ctx context.Context) error { return u.peers.Close(ctx, info.ID) })
	}
	if err := u.peers.Connect(ctx, info.ID, domain.PeerKindProducer, in.Dtls); err != nil {
		return fail(err)
	}
	for _, t := range in.Tracks {
		id, err := u.producers.Produce(ctx, ProduceInput{PeerID: info.ID, Kind: t.Kind, RtpParameters: t.RtpParameters})
		if err != nil {
			return fail(err)
		}
		s.ProducerIDs = append(s.ProducerIDs, id)
	}
	return s, nil
}

// End closes a WHIP session of the room (DELETE on its resource): domain.ErrPeerNotFound when the room has no
// such publishing session.
func (u *Whip) End(ctx context.Context, roomID, sessionID string) error {
	peer, err := u.peers.peerOfKind(ctx, sessionID, "")
	if err != nil {
		return err
	}
	if peer.RoomID != roomID || peer.Kind != domain.PeerKindProducer {
		return fmt.Errorf("%w: room %s has no WHIP session %s", domain.ErrPeerNotFound, roomID, sessionID)
	}
	if err := u.peers.closePeer(ctx, peer); err != nil && !errors.Is(err, domain.ErrPeerNotFound) {
		return err
	}
	return nil
}

// Undo ends a session that was created but cannot be answered (the answer could not be written), returning cause.
func (u *Whip) Undo(ctx context.Context, roomID, sessionID string, cause error) error {
	return undo(ctx, cause, func(ctx context.Context) error { return u.End(ctx, roomID, sessionID) })
}
