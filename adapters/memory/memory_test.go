package memory_test

import (
	"testing"

	"github.com/sfu-cluster/sfu-cluster/adapters/memory"
	"github.com/sfu-cluster/sfu-cluster/adapters/repotest"
	"github.com/sfu-cluster/sfu-cluster/application"
)

func TestRoomRepo(t *testing.T) {
	repotest.RunRoomRepo(t, func(*testing.T) application.RoomRepo { return memory.NewRoomRepo() })
}

func TestSlaveRepo(t *testing.T) {
	repotest.RunSlaveRepo(t, func(*testing.T) application.SlaveRepo { return memory.NewSlaveRepo() })
}
