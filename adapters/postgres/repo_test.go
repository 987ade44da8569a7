package postgres_test

import (
	"testing"

	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
	"github.com/sfu-cluster/sfu-cluster/adapters/repotest"
	"github.com/sfu-cluster/sfu-cluster/application"
)

func TestRoomRepo(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		repotest.RunRoomRepo(t, func(t *testing.T) application.RoomRepo {
			return postgres.NewRoomRepo(openMigrated(t, d))
		})
	})
}

func TestSlaveRepo(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		repotest.RunSlaveRepo(t, func(t *testing.T) application.SlaveRepo {
			return postgres.NewSlaveRepo(openMigrated(t, d))
		})
	})
}
