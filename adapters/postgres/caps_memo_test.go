package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func capsWith(mime string) domain.RtpCapabilities {
	return domain.RtpCapabilities{
		Codecs: []domain.RtpCodecCapability{{Kind: domain.MediaKindAudio, MimeType: mime, PreferredPayloadType: 100,
			ClockRate: 48000, Channels: 2, Parameters: domain.CodecParameters{}, RtcpFeedback: []domain.RtcpFeedback{}}},
		HeaderExtensions: []domain.RtpHeaderExtension{},
	}
}

// The room reads remember capabilities per room row (capsMemo). Two repos on one database are two masters: what
// one remembers must never hide what the other writes.
func TestRoomCapabilitiesMemo(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	forEachDialect(t, func(t *testing.T, d dialect) {
		db := openMigrated(t, d)
		reader, writer := postgres.NewRoomRepo(db), postgres.NewRoomRepo(db)
		room := domain.Room{ID: uuid.NewString(), SlaveID: "s", RouterID: "r", RtpCapabilities: capsWith("audio/opus"),
			CreatedAt: at}
		require.NoError(t, writer.CreateRoom(ctx, room))

		read := func(t *testing.T, want domain.Room) {
			t.Helper()
			got, err := reader.GetRoom(ctx, want.ID)
			require.NoError(t, err)
			require.Equal(t, want, got)
			list, total, err := reader.ListRooms(ctx, application.Page{Page: 1, PageSize: 10})
			require.NoError(t, err)
			require.Equal(t, 1, total)
			require.Equal(t, []domain.Room{want}, list)
		}
		read(t, room) // remembered now

		t.Run("a room inserted again under the same id is read anew", func(t *testing.T) {
			require.NoError(t, writer.DeleteRoom(ctx, room.ID))
			_, err := reader.GetRoom(ctx, room.ID)
			require.ErrorIs(t, err, domain.ErrRoomNotFound)
			again := room
			again.RtpCapabilities, again.CreatedAt = capsWith("audio/PCMU"), at.Add(time.Second)
			require.NoError(t, writer.CreateRoom(ctx, again))
			read(t, again)
			require.NoError(t, writer.DeleteRoom(ctx, again.ID))
		})

		t.Run("a transaction rolled back teaches nothing", func(t *testing.T) {
			ghost := domain.Room{ID: uuid.NewString(), SlaveID: "s", RouterID: "r",
				RtpCapabilities: capsWith("audio/G722"), CreatedAt: at}
			rollback := errors.New("rollback")
			err := reader.WithinTx(ctx, func(tx application.RoomRepo) error {
				require.NoError(t, tx.CreateRoom(ctx, ghost))
				got, err := tx.GetRoom(ctx, ghost.ID)
				require.NoError(t, err)
				require.Equal(t, ghost, got)
				return rollback
			})
			require.ErrorIs(t, err, rollback)
			// The same row key (id, created_at) with other capabilities, written by the other master.
			real := ghost
			real.RtpCapabilities = capsWith("audio/opus")
			require.NoError(t, writer.CreateRoom(ctx, real))
			read(t, real)
		})
	})
}
