package domain

import (
	"fmt"
	"slices"
)

// PlacementMode says how a room's viewers spread over the consumer slaves (CONSUMER_PLACEMENT).
type PlacementMode string

const (
	// PlacementFill keeps a room's viewers on its oldest consumer router whose slave has room, and opens a router
	// on another slave only when that one is full: few routers per room, so few pipes. The default.
	PlacementFill PlacementMode = "fill"
	// PlacementSpread puts each viewer on the least-loaded consumer slave, opening a router of the room there when
	// it has none: slaves stay even, at the price of a router (and a pipe per producer slave) per slave per room.
	PlacementSpread PlacementMode = "spread"
)

// ParsePlacementMode reads a mode; "" is PlacementFill.
func ParsePlacementMode(s string) (PlacementMode, error) {
	switch PlacementMode(s) {
	case "", PlacementFill:
		return PlacementFill, nil
	case PlacementSpread:
		return PlacementSpread, nil
	default:
		return "", fmt.Errorf("%w: placement %q: want fill or spread", ErrInvalidInput, s)
	}
}

// Placement is where a viewer goes: Router, an existing router of the room, or (Router.ID == "") a new router of
// the room on Slave.
type Placement struct {
	Router Router
	Slave  Slave
}

// PlaceViewer chooses where the next viewer of a room goes. routers are the room's routers, oldest first (the
// producer router is skipped); slaves are the known slaves of every role; a slave whose id is in exclude is not
// used (the caller found it full a moment ago). ok is false when no consumer slave can take a viewer.
func PlaceViewer(mode PlacementMode, routers []Router, slaves []Slave, exclude ...string) (p Placement, ok bool) {
	open := PlaceableConsumers(slaves, exclude...)
	if len(open) == 0 {
		return Placement{}, false
	}
	routerOn := make(map[string]Router, len(routers))
	for _, r := range routers {
		if r.Role == SlaveRoleConsumer {
			routerOn[r.SlaveID] = r
		}
	}
	if mode != PlacementSpread {
		for _, r := range routers { // oldest first: the room's first consumer router fills first
			if i := slices.IndexFunc(open, func(s Slave) bool { return s.ID == r.SlaveID }); r.Role == SlaveRoleConsumer && i >= 0 {
				return Placement{Router: r, Slave: open[i]}, true
			}
		}
	}
	best := open[0] // PlaceableConsumers sorts least loaded first
	if mode != PlacementSpread {
		// Fill: every router of the room sits on a full slave (or none exists): open one on the least-loaded slave.
		return Placement{Slave: best}, true
	}
	return Placement{Router: routerOn[best.ID], Slave: best}, true
}

// PlaceableConsumers returns the consumer slaves that may take a new viewer (Slave.Placeable), least loaded first
// (Slave.LessLoaded), without the excluded ids: the one filter every viewer placement goes through.
func PlaceableConsumers(slaves []Slave, exclude ...string) []Slave {
	var open []Slave
	for _, s := range slaves {
		if s.Role == SlaveRoleConsumer && s.Placeable() && !slices.Contains(exclude, s.ID) {
			open = append(open, s)
		}
	}
	slices.SortFunc(open, func(a, b Slave) int {
		switch {
		case a.LessLoaded(b):
			return -1
		case b.LessLoaded(a):
			return 1
		}
		return 0
	})
	return open
}

// TakesNewWork reports whether the slave accepts new routers and peers, capacity aside: Placeable without the
// free-slot check (which the atomic reservation makes).
func (s Slave) TakesNewWork() bool {
	s.TransportCount = 0
	return s.Placeable()
}
