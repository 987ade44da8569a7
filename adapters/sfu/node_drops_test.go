package sfu

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/pipetransport"
)

// dropsLink is a real pipe link whose socket reports drops set by the test (overflowing a socket on purpose
// would race its reader).
type dropsLink struct {
	pipeLink
	drops *atomic.Uint64
}

func (l dropsLink) Stats() pipetransport.Stats {
	s := l.pipeLink.Stats()
	s.ReceiveDrops += l.drops.Load()
	return s
}

// TestNodeStatsCountReceiveDrops: the node's total adds the WebRTC socket's and every pipe socket's kernel drops,
// and keeps a closed pipe's, so the metric built on it never goes down.
func TestNodeStatsCountReceiveDrops(t *testing.T) {
	ctx := context.Background()
	n := newBenchNode(t, -1)
	var drops atomic.Uint64
	n.newPipe = func(cfg pipetransport.Config) (pipeLink, error) {
		l, err := newPipeLink(cfg)
		if err != nil {
			return nil, err
		}
		return dropsLink{pipeLink: l, drops: &drops}, nil
	}
	_, err := n.CreateRouter(ctx, "r")
	require.NoError(t, err)
	_, err = n.CreatePipeTransport(ctx, "r", "pipe", false)
	require.NoError(t, err)
	st, err := n.Stats(ctx)
	require.NoError(t, err)
	base := st.ReceiveDrops // the WebRTC socket's, normally 0

	drops.Store(7)
	st, err = n.Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, base+7, st.ReceiveDrops)

	require.NoError(t, n.ClosePipeTransport(ctx, "pipe"))
	st, err = n.Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, 0, st.PipeTransports)
	require.Equal(t, base+7, st.ReceiveDrops, "a closed pipe's drops stay counted")
}
