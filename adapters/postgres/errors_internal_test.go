package postgres

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// A database that stops answering after Open is domain.ErrUnavailable for every call.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	db, err := openPostgres("postgres://u@127.0.0.1:1/db?sslmode=disable&dial_timeout=2")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	rooms, slaves := NewRoomRepo(db), NewSlaveRepo(db)

	_, err = rooms.GetRoom(ctx, "r")
	require.ErrorIs(t, err, domain.ErrUnavailable)
	err = rooms.WithinTx(ctx, func(application.RoomRepo) error { return nil })
	require.ErrorIs(t, err, domain.ErrUnavailable)
	require.ErrorIs(t, slaves.ReserveTransport(ctx, "s"), domain.ErrUnavailable)
	_, err = slaves.PickSlave(ctx, domain.SlaveRoleConsumer)
	require.ErrorIs(t, err, domain.ErrUnavailable)
}
