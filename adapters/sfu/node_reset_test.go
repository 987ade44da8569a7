package sfu

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// TestCloseAllRoutersEmptiesTheNodeAndKeepsItRunning: what a slave does when the master has forgotten it.
func TestCloseAllRoutersEmptiesTheNodeAndKeepsItRunning(t *testing.T) {
	n, _ := newTestNode(t)
	ctx := context.Background()
	for _, id := range []string{"r1", "r2"} {
		_, err := n.CreateRouter(ctx, id)
		require.NoError(t, err)
		_, err = n.CreateWebRtcTransport(ctx, id, "t-"+id)
		require.NoError(t, err)
		_, err = n.CreatePipeTransport(ctx, id, "p-"+id, true)
		require.NoError(t, err)
	}
	require.NoError(t, n.CloseAllRouters(ctx))
	st, err := n.Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, application.NodeStats{}, application.NodeStats{Routers: st.Routers, Transports: st.Transports,
		Producers: st.Producers, Consumers: st.Consumers, PipeTransports: st.PipeTransports})
	_, err = n.CreateRouter(ctx, "r3")
	require.NoError(t, err, "the node keeps serving")
}
