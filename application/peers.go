package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Peers holds what producer and consumer peers share: creating a WebRTC transport with its capacity reserved,
// connecting it, and closing it with everything it owns.
type Peers struct {
	d Deps
	// made remembers the peers this master made (a peer's row never changes), so the viewer's consume that
	// follows reads none; when that consume fails, the store is read to decide the answer (consumer_peers.go).
	made *memo[string, domain.Peer]
}

// NewPeers builds the shared peer use cases.
func NewPeers(d Deps) *Peers { return &Peers{d: d, made: newMemo[string, domain.Peer]()} }

// PeerOptions are the optional parts of a peer creation body.
type PeerOptions struct {
	// Sctp, mediasoup-client's device.sctpCapabilities, makes the transport run SCTP (data channels) and the
	// answer carry sctpParameters.
	Sctp *domain.SctpCapabilities
}

func mergePeerOptions(opts []PeerOptions) (PeerOptions, error) {
	var o PeerOptions
	for _, x := range opts {
		if x.Sctp != nil {
			o.Sctp = x.Sctp
		}
	}
	if o.Sctp != nil {
		if err := o.Sctp.Validate(); err != nil {
			return o, err
		}
	}
	return o, nil
}

// create reserves a transport slot on the slave, creates the transport there and records the peer; each step
// that fails undoes the ones before it. userID "" records the peer under peerUserID's choice.
func (u *Peers) create(ctx context.Context, roomID, routerID, slaveID, userID string, kind domain.PeerKind, opts PeerOptions) (domain.TransportInfo, error) {
	if err := authorize(ctx, userID, roomID); err != nil {
		return domain.TransportInfo{}, err
	}
	if err := u.d.checkRoomPeers(ctx, roomID); err != nil {
		return domain.TransportInfo{}, err
	}
	peerID := u.d.IDs.NewID()
	peer, err := domain.NewPeer(peerID, roomID, routerID, slaveID, peerUserID(ctx, userID, peerID), kind, u.d.Clock.Now())
	if err != nil {
		return domain.TransportInfo{}, err
	}
	peer.Sctp = opts.Sctp != nil
	node, _, err := u.d.nodeOf(ctx, slaveID)
	if err != nil {
		return domain.TransportInfo{}, err
	}
	if err := u.d.Slaves.ReserveTransport(ctx, slaveID); err != nil {
		return domain.TransportInfo{}, fmt.Errorf("reserve transport on slave %s: %w", slaveID, err)
	}
	release := func(ctx context.Context) error { return u.d.Slaves.ReleaseTransport(ctx, slaveID) }
	info, err := node.CreateWebRtcTransport(ctx, routerID, peerID)
	if err != nil {
		return domain.TransportInfo{}, undo(ctx, fmt.Errorf("create transport on slave %s: %w", slaveID, err), release)
	}
	info.ID = peerID
	if err := info.Validate(); err != nil {
		// Clients could not connect with it: the slave failed, and what it made is undone.
		// The cause is text, not wrapped: its ErrInvalidInput would make this the client's 400, not a 502.
		err = fmt.Errorf("%w: slave %s answered unusable transport parameters: %s", domain.ErrSlaveFailed, slaveID, err.Error())
		return domain.TransportInfo{}, undo(ctx, err, func(ctx context.Context) error {
			return errors.Join(node.CloseTransport(ctx, peerID), release(ctx))
		})
	}
	if opts.Sctp != nil {
		sctp, err := node.EnableSctp(ctx, peerID, *opts.Sctp)
		if err != nil {
			return domain.TransportInfo{}, undo(ctx, fmt.Errorf("enable sctp on slave %s: %w", slaveID, err), func(ctx context.Context) error {
				return errors.Join(node.CloseTransport(ctx, peerID), release(ctx))
			})
		}
		info.SctpParameters = &sctp
	}
	if err := u.d.Rooms.CreatePeer(ctx, peer); err != nil {
		return domain.TransportInfo{}, undo(ctx, fmt.Errorf("store peer: %w", err), func(ctx context.Context) error {
			return errors.Join(node.CloseTransport(ctx, peerID), release(ctx))
		})
	}
	u.made.put(peerID, peer)
	return info, nil
}

// peerOfKind loads a peer and checks it is of the kind the route expects ("" accepts both).
func (u *Peers) peerOfKind(ctx context.Context, peerID string, kind domain.PeerKind) (domain.Peer, error) {
	if peerID == "" {
		return domain.Peer{}, fmt.Errorf("%w: peer id is required", domain.ErrInvalidInput)
	}
	peer, err := u.d.Rooms.GetPeer(ctx, peerID)
	if err != nil {
		return domain.Peer{}, err
	}
	if err := authorizePeer(ctx, peer); err != nil {
		return domain.Peer{}, err
	}
	if kind != "" && peer.Kind != kind {
		return domain.Peer{}, fmt.Errorf("%w: peer %s is a %s peer, not a %s peer", domain.ErrWrongPeerKind, peerID, peer.Kind, kind)
	}
	return peer, nil
}

// Connect hands the client's DTLS parameters to the peer's transport. kind is the kind the route expects.
// A zero dtls (the body had none) is "dtlsParameters is required".
func (u *Peers) Connect(ctx context.Context, peerID string, kind domain.PeerKind, dtls domain.DtlsParameters) error {
	if dtls.Role == "" && dtls.Fingerprints == nil {
		return fmt.Errorf("%w: dtlsParameters is required", domain.ErrInvalidInput)
	}
	if err := dtls.Validate(); err != nil {
		return err
	}
	peer, err := u.peerOfKind(ctx, peerID, kind)
	if err != nil {
		return err
	}
	node, _, err := u.d.nodeOf(ctx, peer.SlaveID)
	if err != nil {
		return err
	}
	if err := node.ConnectTransport(ctx, peer.ID, dtls); err != nil {
		return fmt.Errorf("connect transport %s: %w", peer.ID, err)
	}
	return nil
}

// Close removes a peer (DELETE /transports/:id): its rows, its capacity slot, then its transport on the slave.
func (u *Peers) Close(ctx context.Context, peerID string) error {
	peer, err := u.peerOfKind(ctx, peerID, "")
	if err != nil {
		return err
	}
	return u.closePeer(ctx, peer)
}

// closePeer deletes the peer's rows (cascading its producers and consumers), gives its slot back and closes the
// transport on its slave. The store is the truth: a slave that fails to close is reported, not returned.
func (u *Peers) closePeer(ctx context.Context, peer domain.Peer) error {
	u.made.remove(peer.ID)
	var producers []domain.Producer
	var copies []pipedCopy
	var data dataCopies
	err := u.d.Rooms.WithinTx(ctx, func(tx RoomRepo) error {
		producers, copies = nil, nil // a retried transaction starts over
		var err error
		if data, err = dataCopiesOf(ctx, tx, peer); err != nil {
			return err
		}
		all, err := tx.ListProducers(ctx, peer.RoomID)
		if err != nil {
			return err
		}
		ids := map[string]bool{}
		for _, p := range all {
			if p.PeerID == peer.ID {
				producers = append(producers, p)
				ids[p.ID] = true
			}
		}
		if copies, err = pipedCopiesOf(ctx, tx, peer.RouterID, ids); err != nil {
			return err
		}
		return tx.DeletePeer(ctx, peer.ID)
	})
	if err != nil {
		if errors.Is(err, domain.ErrPeerNotFound) {
			return nil // closed concurrently: the other closer released the slot
		}
		return err
	}
	if err := u.d.Slaves.ReleaseTransport(ctx, peer.SlaveID); err != nil && !errors.Is(err, domain.ErrSlaveNotFound) {
		u.d.Warn("release transport slot", err)
	}
	u.d.closeOnSlave(ctx, peer.SlaveID, "close transport "+peer.ID, func(ctx context.Context, n SFUNode) error {
		return n.CloseTransport(ctx, peer.ID)
	})
	u.d.closePipedCopies(ctx, copies)
	u.d.closeDataCopies(ctx, peer, data)
	for _, p := range producers {
		u.d.Events.Publish(ctx, RoomEvent{Type: EventProducerRemoved, RoomID: peer.RoomID, PeerID: peer.ID, UserID: peer.UserID, ProducerID: p.ID, Kind: string(p.Kind)})
	}
	u.d.Events.Publish(ctx, RoomEvent{Type: EventPeerLeft, RoomID: peer.RoomID, PeerID: peer.ID, UserID: peer.UserID})
	return nil
}

// Logout closes every peer of a user, in one room when roomID is set.
func (u *Peers) Logout(ctx context.Context, userID, roomID string) error {
	if err := domain.ValidateUserID(userID); err != nil {
		return err
	}
	if err := authorize(ctx, userID, roomID); err != nil {
		return err
	}
	if roomID != "" {
		if _, err := u.d.Rooms.GetRoom(ctx, roomID); err != nil {
			return err
		}
	}
	peers, err := u.d.Rooms.ListPeers(ctx, PeerFilter{UserID: userID, RoomID: roomID})
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range peers {
		if err := u.closePeer(ctx, p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
