package postgres

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun/driver/pgdriver"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// The driver's own messages (here the one it logs when it discards a listener connection) reach zap.
func TestDriverLogGoesThroughZap(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	SetDriverLogger(zap.New(core))
	t.Cleanup(func() { SetDriverLogger(zap.NewNop()) })
	pgdriver.Logger.Printf(context.Background(), "bun: discarding bad listener connection: %s", "ping timeout")
	entries := logs.All()
	require.Len(t, entries, 1)
	require.Equal(t, "bun: discarding bad listener connection: ping timeout", entries[0].Message)
	require.Equal(t, zapcore.WarnLevel, entries[0].Level)
}
