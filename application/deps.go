// Package application holds the master's use cases and the ports they need. It imports only domain.
package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Deps are what every use case of the master needs. NewDeps rejects a missing one, so a use case never checks.
type Deps struct {
	Rooms  RoomRepo
	Slaves SlaveRepo
	Nodes  SFUNodes
	Clock  Clock
	IDs    IDGenerator
	// Events receives room events (producer added/removed, peer left); optional.
	Events EventPublisher
	// Activity records uses of consumer routers for the janitor; NewDeps makes one when nil.
	Activity *RouterActivity
	// Limits bound peers per room and producers per peer; zero values mean none.
	Limits Limits
	// Placement says how a room's viewers spread over consumer slaves; "" is domain.PlacementFill.
	Placement domain.PlacementMode
	// CacheTTL, when positive, lets the use cases answer slave lookups from a snapshot read at most once per
	// CacheTTL and routers from a memo (slave_cache.go, router_cache.go): the master's bootstrap sets it
	// (MASTER_CACHE_TTL); tests that change the stores behind the use cases' back leave it zero.
	CacheTTL time.Duration
	health   *healthMemo // with CacheTTL: recent answers to health checks
	// Warn reports a failure that does not fail the request (a slave that could not free an object whose rows are
	// already gone); optional. The edge logs it.
	Warn func(msg string, err error)
}

// NewDeps checks that every required dependency is set and fills the optional ones.
func NewDeps(d Deps) (Deps, error) {
	switch {
	case d.Rooms == nil:
		return Deps{}, errors.New("application: RoomRepo is required")
	case d.Slaves == nil:
		return Deps{}, errors.New("application: SlaveRepo is required")
	case d.Nodes == nil:
		return Deps{}, errors.New("application: SFUNodes is required")
	case d.Clock == nil:
		return Deps{}, errors.New("application: Clock is required")
	case d.IDs == nil:
		return Deps{}, errors.New("application: IDGenerator is required")
	}
	if d.Events == nil {
		d.Events = noEvents{}
	}
	if d.Activity == nil {
		d.Activity = NewRouterActivity()
	}
	if d.Placement == "" {
		d.Placement = domain.PlacementFill
	}
	if d.CacheTTL > 0 {
		d.Slaves = newCachedSlaves(d.Slaves, d.CacheTTL, d.Clock)
		d.Rooms = newCachedRooms(d.Rooms)
		d.health = newHealthMemo()
	}
	if d.Warn == nil {
		d.Warn = func(string, error) {}
	}
	return d, nil
}

// nodeOf returns the SFUNode of a registered slave.
func (d Deps) nodeOf(ctx context.Context, slaveID string) (SFUNode, domain.Slave, error) {
	s, err := d.Slaves.Get(ctx, slaveID)
	if err != nil {
		if errors.Is(err, domain.ErrSlaveNotFound) {
			// The row points at a slave that is gone: the object is unreachable, so the call fails like a slave would.
			return nil, domain.Slave{}, fmt.Errorf("%w: slave %s is no longer registered", domain.ErrSlaveFailed, slaveID)
		}
		return nil, domain.Slave{}, err
	}
	if s.Status != domain.SlaveStatusAlive {
		return nil, s, fmt.Errorf("%w: slave %s is %s", domain.ErrSlaveFailed, slaveID, s.Status)
	}
	return d.Nodes.Node(s), s, nil
}

// undo runs a compensation with a context that survives the caller's cancellation, so a failed request does not
// leak the router or transport it created on a slave. Its error joins the original one.
func undo(ctx context.Context, err error, fn func(ctx context.Context) error) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if uerr := fn(cctx); uerr != nil {
		return errors.Join(err, fmt.Errorf("undo failed: %w", uerr))
	}
	return err
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// closeOnSlave frees an object on a slave after its rows are gone; a failure is reported, never returned.
func (d Deps) closeOnSlave(ctx context.Context, slaveID, what string, fn func(ctx context.Context, n SFUNode) error) {
	node, _, err := d.nodeOf(ctx, slaveID)
	if err == nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err = fn(cctx, node)
		cancel()
	}
	if err != nil {
		d.Warn(what, err)
	}
}
