package sfu

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestGetConsumerAndPreferredLayersOfASimpleConsumer(t *testing.T) {
	ctx := context.Background()
	b := loadBrowser(t)
	n, _ := newTestNode(t)
	_, err := n.CreateRouter(ctx, "r1")
	require.NoError(t, err)
	_, err = n.CreateWebRtcTransport(ctx, "r1", "t1")
	require.NoError(t, err)
	require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "t1", ProducerID: "p1", Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()}))
	_, err = n.Consume(ctx, application.ConsumeRequest{TransportID: "t1", ConsumerID: "c1", ProducerID: "p1", RtpCapabilities: b.RecvRtpCapabilities})
	require.NoError(t, err)

	st, err := n.GetConsumer(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, application.ConsumerState{ID: "c1", ProducerID: "p1", Kind: domain.MediaKindVideo,
		Type: domain.ConsumerTypeSimple, Paused: true}, st)

	require.NoError(t, n.ResumeConsumer(ctx, "c1"))
	require.NoError(t, n.PauseProducer(ctx, "p1"))
	st, err = n.GetConsumer(ctx, "c1")
	require.NoError(t, err)
	require.False(t, st.Paused)
	require.True(t, st.ProducerPaused)

	require.ErrorIs(t, n.SetConsumerPreferredLayers(ctx, "c1", domain.ConsumerLayers{SpatialLayer: 0}), domain.ErrInvalidInput)
	require.ErrorIs(t, n.SetConsumerPreferredLayers(ctx, "nope", domain.ConsumerLayers{}), domain.ErrConsumerNotFound)
	_, err = n.GetConsumer(ctx, "nope")
	require.ErrorIs(t, err, domain.ErrConsumerNotFound)
}
