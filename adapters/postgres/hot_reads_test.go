package postgres_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// The polled reads are coalesced: concurrent identical reads share queries. None may miss a write that completed
// before it was called, whichever master (repo) made it.
func TestHotReadsSeeCompletedWrites(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	forEachDialect(t, func(t *testing.T, d dialect) {
		db := openMigrated(t, d)
		reader, writer := postgres.NewRoomRepo(db), postgres.NewRoomRepo(db)
		room := domain.Room{ID: uuid.NewString(), SlaveID: "s", RouterID: uuid.NewString(), CreatedAt: at,
			RtpCapabilities: capsWith("audio/opus")}
		require.NoError(t, writer.CreateRoom(ctx, room))
		require.NoError(t, writer.CreateRouter(ctx, domain.Router{ID: room.RouterID, RoomID: room.ID, SlaveID: "s",
			Role: domain.SlaveRoleProducer, CreatedAt: at}))
		peer := domain.Peer{ID: uuid.NewString(), RoomID: room.ID, RouterID: room.RouterID, SlaveID: "s", UserID: "u",
			Kind: domain.PeerKindProducer, CreatedAt: at}
		require.NoError(t, writer.CreatePeer(ctx, peer))

		const writes = 30
		var done atomic.Int32 // writes completed
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for done.Load() < writes {
					before := int(done.Load())
					rows, err := reader.ListProducerRows(ctx, room.ID)
					if !assertNoError(t, err) {
						return
					}
					if len(rows) < before {
						t.Errorf("producer rows: %d, but %d producers were stored before the read", len(rows), before)
						return
					}
					list, total, err := reader.ListRooms(ctx, application.Page{Page: 1, PageSize: 100})
					if !assertNoError(t, err) {
						return
					}
					if total < 1+before || len(list) != total {
						t.Errorf("rooms: %d of %d, but %d were stored before the read", len(list), total, 1+before)
						return
					}
				}
			}()
		}
		for i := range writes {
			p := domain.Producer{ID: uuid.NewString(), PeerID: peer.ID, RoomID: room.ID, Kind: domain.MediaKindAudio,
				CreatedAt: at.Add(time.Duration(i) * time.Millisecond)}
			require.NoError(t, writer.CreateProducer(ctx, p))
			require.NoError(t, writer.CreateRoom(ctx, domain.Room{ID: uuid.NewString(), SlaveID: "s", RouterID: "r",
				RtpCapabilities: capsWith("audio/opus"), CreatedAt: at.Add(time.Duration(i) * time.Millisecond)}))
			done.Add(1)
		}
		wg.Wait()
	})
}

func assertNoError(t *testing.T, err error) bool {
	t.Helper()
	if err != nil {
		t.Error(err)
		return false
	}
	return true
}
