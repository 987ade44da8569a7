package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestPlaceViewer(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	slave := func(id string, role domain.SlaveRole, used, max int, age int) domain.Slave {
		return domain.Slave{ID: id, Role: role, MaxTransports: max, TransportCount: used, Status: domain.SlaveStatusAlive,
			CreatedAt: t0.Add(time.Duration(age) * time.Second)}
	}
	router := func(id, slaveID string, role domain.SlaveRole) domain.Router {
		return domain.Router{ID: id, RoomID: "room", SlaveID: slaveID, Role: role}
	}
	prod := slave("p", domain.SlaveRoleProducer, 0, 10, 0)
	draining := slave("d", domain.SlaveRoleConsumer, 0, 10, 1)
	draining.Load.Draining = true
	dead := slave("x", domain.SlaveRoleConsumer, 0, 10, 2)
	dead.Status = domain.SlaveStatusDead
	a, b, c := slave("a", domain.SlaveRoleConsumer, 5, 10, 3), slave("b", domain.SlaveRoleConsumer, 1, 10, 4), slave("c", domain.SlaveRoleConsumer, 3, 10, 5)
	fullA := a
	fullA.TransportCount = 10
	own := router("r-p", "p", domain.SlaveRoleProducer)
	rA, rB := router("r-a", "a", domain.SlaveRoleConsumer), router("r-b", "b", domain.SlaveRoleConsumer)

	cases := []struct {
		name       string
		mode       domain.PlacementMode
		routers    []domain.Router
		slaves     []domain.Slave
		exclude    []string
		wantRouter string // "" when a new router is wanted
		wantSlave  string
		wantNone   bool
	}{
		{name: "fill: a room without consumer router gets one on the least-loaded slave", mode: domain.PlacementFill,
			routers: []domain.Router{own}, slaves: []domain.Slave{prod, a, b, c}, wantSlave: "b"},
		{name: "fill: the oldest router with room, even on a busier slave", mode: domain.PlacementFill,
			routers: []domain.Router{own, rA, rB}, slaves: []domain.Slave{prod, a, b, c}, wantRouter: "r-a", wantSlave: "a"},
		{name: "fill: a full slave's router is passed over for the next router", mode: domain.PlacementFill,
			routers: []domain.Router{own, rA, rB}, slaves: []domain.Slave{prod, fullA, b, c}, wantRouter: "r-b", wantSlave: "b"},
		{name: "fill: spills onto a new router when every router's slave is full", mode: domain.PlacementFill,
			routers: []domain.Router{own, rA}, slaves: []domain.Slave{prod, fullA, c}, wantSlave: "c"},
		{name: "fill: an excluded slave is passed over", mode: domain.PlacementFill,
			routers: []domain.Router{own, rA, rB}, slaves: []domain.Slave{prod, a, b, c}, exclude: []string{"a"}, wantRouter: "r-b", wantSlave: "b"},
		{name: "draining and dead slaves take no viewer", mode: domain.PlacementFill,
			routers: []domain.Router{own, router("r-d", "d", domain.SlaveRoleConsumer)}, slaves: []domain.Slave{prod, draining, dead, c}, wantSlave: "c"},
		{name: "spread: the least-loaded slave's router", mode: domain.PlacementSpread,
			routers: []domain.Router{own, rA, rB}, slaves: []domain.Slave{prod, a, b, c}, wantRouter: "r-b", wantSlave: "b"},
		{name: "spread: a new router on the least-loaded slave when the room has none there", mode: domain.PlacementSpread,
			routers: []domain.Router{own, rA}, slaves: []domain.Slave{prod, a, c}, wantSlave: "c"},
		{name: "no consumer slave with room", mode: domain.PlacementSpread,
			routers: []domain.Router{own, rA}, slaves: []domain.Slave{prod, fullA, draining, dead}, wantNone: true},
		{name: "every consumer slave excluded", mode: domain.PlacementFill,
			routers: []domain.Router{own}, slaves: []domain.Slave{prod, a, b}, exclude: []string{"a", "b"}, wantNone: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := domain.PlaceViewer(tc.mode, tc.routers, tc.slaves, tc.exclude...)
			require.Equal(t, !tc.wantNone, ok)
			if tc.wantNone {
				return
			}
			require.Equal(t, tc.wantRouter, p.Router.ID)
			require.Equal(t, tc.wantSlave, p.Slave.ID)
		})
	}
}

func TestParsePlacementMode(t *testing.T) {
	for in, want := range map[string]domain.PlacementMode{"": domain.PlacementFill, "fill": domain.PlacementFill, "spread": domain.PlacementSpread} {
		got, err := domain.ParsePlacementMode(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err := domain.ParsePlacementMode("random")
	require.ErrorIs(t, err, domain.ErrInvalidInput)
}
