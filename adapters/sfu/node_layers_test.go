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
	ten := 10
	require.Equal(t, application.ConsumerState{ID: "c1", ProducerID: "p1", Kind: domain.MediaKindVideo,
		Type: domain.ConsumerTypeSimple, Paused: true, Score: &ten, AvailableOutgoingBitrate: 1_000_000}, st,
		"score 10 before any receiver report; the transport's estimate starts at INITIAL_AVAILABLE_OUTGOING_BITRATE")

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

func TestGetConsumerAndPreferredLayersOfASimulcastConsumer(t *testing.T) {
	ctx := context.Background()
	b := loadBrowser(t)
	n, _ := newTestNode(t)
	_, err := n.CreateRouter(ctx, "r1")
	require.NoError(t, err)
	_, err = n.CreateWebRtcTransport(ctx, "r1", "t1")
	require.NoError(t, err)
	require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "t1", ProducerID: "pv", Kind: domain.MediaKindVideo, RtpParameters: b.Produce[2].RtpParameters}))
	require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "t1", ProducerID: "pa", Kind: domain.MediaKindAudio, RtpParameters: b.audioParams()}))
	info, err := n.Consume(ctx, application.ConsumeRequest{TransportID: "t1", ConsumerID: "cv", ProducerID: "pv", RtpCapabilities: b.RecvRtpCapabilities})
	require.NoError(t, err)
	require.Equal(t, domain.ConsumerTypeSimulcast, info.Type)
	_, err = n.Consume(ctx, application.ConsumeRequest{TransportID: "t1", ConsumerID: "ca", ProducerID: "pa", RtpCapabilities: b.RecvRtpCapabilities})
	require.NoError(t, err)

	st, err := n.GetConsumer(ctx, "cv")
	require.NoError(t, err)
	two, ten := 2, 10
	require.Equal(t, application.ConsumerState{ID: "cv", ProducerID: "pv", Kind: domain.MediaKindVideo, Type: domain.ConsumerTypeSimulcast,
		Paused: true, PreferredLayers: &domain.ConsumerLayers{SpatialLayer: 2, TemporalLayer: &two}, Score: &ten,
		AvailableOutgoingBitrate: 1_000_000}, st, "highest by default, nothing sent yet")

	one := 1
	tests := []struct {
		name     string
		consumer string
		layers   domain.ConsumerLayers
		want     error
	}{
		{name: "in range", consumer: "cv", layers: domain.ConsumerLayers{SpatialLayer: 1, TemporalLayer: &one}},
		{name: "spatial above the producer's", consumer: "cv", layers: domain.ConsumerLayers{SpatialLayer: 3}, want: domain.ErrInvalidInput},
		{name: "negative spatial", consumer: "cv", layers: domain.ConsumerLayers{SpatialLayer: -1}, want: domain.ErrInvalidInput},
		{name: "temporal above L1T3", consumer: "cv", layers: domain.ConsumerLayers{SpatialLayer: 0, TemporalLayer: ptr(3)}, want: domain.ErrInvalidInput},
		{name: "audio consumer", consumer: "ca", layers: domain.ConsumerLayers{SpatialLayer: 0}, want: domain.ErrInvalidInput},
		{name: "unknown consumer", consumer: "nope", layers: domain.ConsumerLayers{SpatialLayer: 0}, want: domain.ErrConsumerNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, n.SetConsumerPreferredLayers(ctx, tt.consumer, tt.layers), tt.want)
		})
	}
	st, err = n.GetConsumer(ctx, "cv")
	require.NoError(t, err)
	require.Equal(t, &domain.ConsumerLayers{SpatialLayer: 1, TemporalLayer: &one}, st.PreferredLayers, "refused calls changed nothing")
}
