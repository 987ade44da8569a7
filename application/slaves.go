package application

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// RegisterInput is what a slave sends when its SFU is ready.
type RegisterInput struct {
	Role          domain.SlaveRole `json:"role"`
	APIURL        string           `json:"apiUrl"`
	MaxTransports int              `json:"maxTransports"`
}

// Slaves keeps the registry of slaves: registration, heartbeats, deregistration, death and its cleanup.
type Slaves struct {
	d     Deps
	peers *Peers
	// DeadRetention is how long a dead slave's record stays listed (GET /slaves shows it dead, for operators)
	// before it is deleted. Its rows were cleaned when it died; a slave that comes back registers a new record.
	DeadRetention time.Duration

	mu sync.Mutex
	// storeOKSince is when this master last started to see the store answer (zero: not yet, or it just failed).
	// Slaves cannot heartbeat while the store or this master is away, so silence is only evidence of death once
	// the store has answered for a whole timeout.
	storeOKSince time.Time
}

// NewSlaves builds the slave lifecycle use cases.
func NewSlaves(d Deps, peers *Peers) *Slaves {
	return &Slaves{d: d, peers: peers, DeadRetention: DefaultDeadSlaveRetention}
}

// DefaultDeadSlaveRetention keeps a dead slave listed long enough for an operator to notice it.
const DefaultDeadSlaveRetention = 15 * time.Minute

// Register records a slave. A slave registering again at the same API URL (a restart) replaces its old record,
// and everything the old one owned is cleaned.
func (u *Slaves) Register(ctx context.Context, in RegisterInput) (domain.Slave, error) {
	if _, err := domain.ParseSlaveRole(string(in.Role)); err != nil {
		return domain.Slave{}, err
	}
	if err := validateAPIURL(in.APIURL); err != nil {
		return domain.Slave{}, err
	}
	s, err := domain.NewSlave(u.d.IDs.NewID(), in.Role, in.APIURL, in.MaxTransports, u.d.Clock.Now())
	if err != nil {
		return domain.Slave{}, err
	}
	replaced, err := u.d.Slaves.Upsert(ctx, s)
	if err != nil {
		return domain.Slave{}, err
	}
	if replaced != "" {
		if err := u.cleanRows(ctx, replaced); err != nil {
			u.d.Warn("clean replaced slave "+replaced, err)
		}
	}
	return s, nil
}

func validateAPIURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: apiUrl must be an http(s) URL, got %q", domain.ErrInvalidInput, raw)
	}
	return nil
}

// Heartbeat records a slave's load. An unknown (e.g. reaped) slave gets domain.ErrSlaveNotFound and registers again.
func (u *Slaves) Heartbeat(ctx context.Context, id string, load domain.SlaveLoad) error {
	return u.d.Slaves.Heartbeat(ctx, id, load, u.d.Clock.Now())
}

// Deregister removes a slave that stops gracefully, with its rows.
func (u *Slaves) Deregister(ctx context.Context, id string) error {
	if _, err := u.d.Slaves.Get(ctx, id); err != nil {
		return err
	}
	// Nothing new goes to it meanwhile: the rooms it holds move to another producer slave (room_move.go).
	if _, err := u.d.Slaves.MarkSuspect(ctx, id, u.d.Clock.Now()); err != nil {
		return err
	}
	if err := u.cleanRows(ctx, id); err != nil {
		return err
	}
	return u.d.Slaves.Delete(ctx, id)
}

// List returns every registered slave (GET /slaves), read from the store: an operator's view must be exact,
// and the master's snapshot (cachedSlaves) may count one of its own reservations twice, or miss one, for up to
// its ttl.
func (u *Slaves) List(ctx context.Context) ([]domain.Slave, error) {
	if c, ok := u.d.Slaves.(*cachedSlaves); ok {
		return c.SlaveRepo.List(ctx)
	}
	return u.d.Slaves.List(ctx)
}

// ReapDead marks slaves silent for longer than timeout as dead and cleans their rows. It returns the reaped ones.
//
// Right after this master starts, and after the store was unreachable, it waits one timeout before reaping: the
// slaves' heartbeats could not be recorded meanwhile, and reaping them would delete every room of a healthy
// cluster.
func (u *Slaves) ReapDead(ctx context.Context, timeout time.Duration) ([]domain.Slave, error) {
	now := u.d.Clock.Now()
	u.mu.Lock()
	since := u.storeOKSince
	u.mu.Unlock()
	if since.IsZero() || now.Sub(since) < timeout {
		// Not settled: only check that the store answers (the clock starts at its first answer, not before).
		if _, err := u.d.Slaves.List(ctx); err != nil {
			u.storeFailed()
			return nil, err
		}
		if since.IsZero() {
			u.mu.Lock()
			u.storeOKSince = now
			u.mu.Unlock()
		}
		return nil, nil
	}
	dead, err := u.d.Slaves.MarkDead(ctx, now.Add(-timeout))
	if err != nil {
		u.storeFailed()
		return nil, err
	}
	var errs []error
	for _, s := range dead {
		if err := u.cleanRows(ctx, s.ID); err != nil {
			errs = append(errs, err)
		}
	}
	if err := u.purgeDead(ctx, now); err != nil {
		errs = append(errs, err)
	}
	return dead, errors.Join(errs...)
}

// purgeDead deletes the records of slaves dead for longer than DeadRetention, so a cluster whose slaves come and
// go (autoscaling, new addresses) does not pile up dead records.
func (u *Slaves) purgeDead(ctx context.Context, now time.Time) error {
	all, err := u.d.Slaves.List(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, s := range all {
		if s.Status == domain.SlaveStatusDead && now.Sub(s.LastSeenAt) > u.DeadRetention {
			if err := u.d.Slaves.Delete(ctx, s.ID); err != nil && !errors.Is(err, domain.ErrSlaveNotFound) {
				errs = append(errs, fmt.Errorf("purge dead slave %s: %w", s.ID, err))
			}
		}
	}
	return errors.Join(errs...)
}

func (u *Slaves) storeFailed() {
	u.mu.Lock()
	u.storeOKSince = time.Time{}
	u.mu.Unlock()
}

// TransportClosed is a slave's report that a transport died on the media side (ICE/DTLS failure, timeout): its
// rows go and its slot is released. The transport is already gone on the slave.
func (u *Slaves) TransportClosed(ctx context.Context, slaveID, transportID string) error {
	peer, err := u.d.Rooms.GetPeer(ctx, transportID)
	if errors.Is(err, domain.ErrPeerNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if peer.SlaveID != slaveID {
		return fmt.Errorf("%w: transport %s is not on slave %s", domain.ErrTransportNotFound, transportID, slaveID)
	}
	return u.peers.closePeer(ctx, peer)
}

// cleanRows removes what a gone slave owned: its peers, its consumer routers (closing the far end of their pipes
// on the producer slaves), and the routers of the rooms it held, which move to a live producer slave (room_move.go).
func (u *Slaves) cleanRows(ctx context.Context, slaveID string) error {
	peers, err := u.d.Rooms.ListPeers(ctx, PeerFilter{SlaveID: slaveID})
	if err != nil {
		return err
	}
	lost, err := u.lostProducers(ctx, peers)
	if err != nil {
		return err
	}
	for _, p := range peers {
		if err := u.d.Rooms.DeletePeer(ctx, p.ID); err != nil && !errors.Is(err, domain.ErrPeerNotFound) {
			return err
		}
		u.d.Events.Publish(ctx, RoomEvent{Type: EventPeerLeft, RoomID: p.RoomID, PeerID: p.ID, UserID: p.UserID})
	}
	routers, err := u.d.Rooms.ListRouters(ctx, "")
	if err != nil {
		return err
	}
	for _, r := range routers {
		if r.SlaveID != slaveID {
			continue
		}
		if r.Role == domain.SlaveRoleProducer {
			if err := u.moveRoom(ctx, r, slaveID, lost[r.RoomID]); err != nil {
				return err
			}
			continue
		}
		if err := u.closePipesOf(ctx, r, slaveID); err != nil {
			return err
		}
		if err := u.d.Rooms.DeleteRouter(ctx, r.ID); err != nil && !errors.Is(err, domain.ErrRouterNotFound) {
			return err
		}
	}
	return nil
}

// closePipesOf closes, on the live slaves, the pipe ends that face a router of a gone slave.
func (u *Slaves) closePipesOf(ctx context.Context, r domain.Router, goneSlaveID string) error {
	pipes, err := u.d.Rooms.ListPipes(ctx, r.ID)
	if err != nil {
		return err
	}
	for _, p := range pipes {
		otherRouter, otherTransport := p.SourceRouterID, p.SourceTransportID
		if otherRouter == r.ID {
			otherRouter, otherTransport = p.TargetRouterID, p.TargetTransportID
		}
		other, err := u.d.Rooms.GetRouter(ctx, otherRouter)
		if err != nil || other.SlaveID == goneSlaveID || otherTransport == "" {
			continue
		}
		u.d.closeOnSlave(ctx, other.SlaveID, "close pipe transport "+otherTransport, func(ctx context.Context, n SFUNode) error {
			return n.ClosePipeTransport(ctx, otherTransport)
		})
	}
	return nil
}

// cleanRoom deletes a room whose producer slave is gone (when no other can take it) and frees its objects on the surviving slaves.
func (u *Slaves) cleanRoom(ctx context.Context, roomID, goneSlaveID string) error {
	peers, err := u.d.Rooms.ListPeers(ctx, PeerFilter{RoomID: roomID})
	if err != nil {
		return err
	}
	routers, err := u.d.Rooms.ListRouters(ctx, roomID)
	if err != nil {
		return err
	}
	if err := u.d.Rooms.DeleteRoom(ctx, roomID); err != nil && !errors.Is(err, domain.ErrRoomNotFound) {
		return err
	}
	for _, p := range peers {
		if p.SlaveID == goneSlaveID {
			continue
		}
		if err := u.d.Slaves.ReleaseTransport(ctx, p.SlaveID); err != nil && !errors.Is(err, domain.ErrSlaveNotFound) {
			u.d.Warn("release transport slot", err)
		}
		u.d.Events.Publish(ctx, RoomEvent{Type: EventPeerLeft, RoomID: p.RoomID, PeerID: p.ID, UserID: p.UserID})
	}
	for _, r := range routers {
		if r.SlaveID == goneSlaveID {
			continue
		}
		// Closing the router on its slave closes its transports, consumers and pipe transports there.
		u.d.closeOnSlave(ctx, r.SlaveID, "close router "+r.ID, func(ctx context.Context, n SFUNode) error {
			return n.CloseRouter(ctx, r.ID)
		})
	}
	u.d.Events.Publish(ctx, RoomEvent{Type: EventRoomDeleted, RoomID: roomID})
	return nil
}
