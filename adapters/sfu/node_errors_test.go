package sfu

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestNodeControlErrors(t *testing.T) {
	ctx := context.Background()
	b := loadBrowser(t)
	n, _ := newTestNode(t)
	_, err := n.CreateRouter(ctx, "r1")
	require.NoError(t, err)
	_, err = n.CreateWebRtcTransport(ctx, "r1", "t1")
	require.NoError(t, err)
	require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "t1", ProducerID: "p1", Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()}))
	simulcast := b.Produce[2].RtpParameters
	simulcast.Encodings = slices.Clone(simulcast.Encodings)
	simulcast.Encodings[1].ScalabilityMode = "L1T9"

	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"duplicate router", func() error { _, err := n.CreateRouter(ctx, "r1"); return err }, domain.ErrConflict},
		{"transport on unknown router", func() error { _, err := n.CreateWebRtcTransport(ctx, "nope", "t2"); return err }, domain.ErrRouterNotFound},
		{"duplicate transport", func() error { _, err := n.CreateWebRtcTransport(ctx, "r1", "t1"); return err }, domain.ErrConflict},
		{"connect unknown transport", func() error { return n.ConnectTransport(ctx, "nope", newTestPeer(t).dtlsParameters()) }, domain.ErrTransportNotFound},
		{"connect with no fingerprint", func() error { return n.ConnectTransport(ctx, "t1", domain.DtlsParameters{}) }, domain.ErrInvalidInput},
		{"produce on unknown transport", func() error {
			return n.Produce(ctx, application.ProduceRequest{TransportID: "nope", ProducerID: "p2", Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()})
		}, domain.ErrTransportNotFound},
		{"duplicate producer", func() error {
			return n.Produce(ctx, application.ProduceRequest{TransportID: "t1", ProducerID: "p1", Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()})
		}, domain.ErrConflict},
		{"same ssrc twice on a transport", func() error {
			return n.Produce(ctx, application.ProduceRequest{TransportID: "t1", ProducerID: "p3", Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()})
		}, domain.ErrConflict},
		{"simulcast with a bad scalabilityMode", func() error {
			return n.Produce(ctx, application.ProduceRequest{TransportID: "t1", ProducerID: "p4", Kind: domain.MediaKindVideo, RtpParameters: simulcast})
		}, domain.ErrInvalidInput},
		{"kind mismatch", func() error {
			return n.Produce(ctx, application.ProduceRequest{TransportID: "t1", ProducerID: "p5", Kind: domain.MediaKindAudio, RtpParameters: b.videoParams()})
		}, domain.ErrInvalidInput},
		{"consume unknown producer", func() error {
			_, err := n.Consume(ctx, application.ConsumeRequest{TransportID: "t1", ConsumerID: "c1", ProducerID: "nope", RtpCapabilities: b.RecvRtpCapabilities})
			return err
		}, domain.ErrProducerNotFound},
		{"consume without a common codec", func() error {
			audioOnly := b.RecvRtpCapabilities
			audioOnly.Codecs = audioOnly.Codecs[:1]
			_, err := n.Consume(ctx, application.ConsumeRequest{TransportID: "t1", ConsumerID: "c1", ProducerID: "p1", RtpCapabilities: audioOnly})
			return err
		}, domain.ErrCannotConsume},
		{"resume unknown consumer", func() error { return n.ResumeConsumer(ctx, "nope") }, domain.ErrConsumerNotFound},
		{"pause unknown producer", func() error { return n.PauseProducer(ctx, "nope") }, domain.ErrProducerNotFound},
		{"pipe on unknown router", func() error { _, err := n.CreatePipeTransport(ctx, "nope", "pp", false); return err }, domain.ErrRouterNotFound},
		{"pipe-consume on unknown pipe", func() error { _, err := n.PipeConsume(ctx, "nope", "p1"); return err }, domain.ErrTransportNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, tt.call(), tt.want)
		})
	}
	t.Run("closing unknown ids is not an error", func(t *testing.T) {
		require.NoError(t, errors.Join(n.CloseRouter(ctx, "x"), n.CloseTransport(ctx, "x"), n.CloseProducer(ctx, "x"),
			n.CloseConsumer(ctx, "x"), n.ClosePipeTransport(ctx, "x")))
	})
	t.Run("after Close every call fails and Close is idempotent", func(t *testing.T) {
		require.NoError(t, n.Close())
		require.NoError(t, n.Close())
		_, err := n.CreateRouter(ctx, "r2")
		require.ErrorIs(t, err, domain.ErrUnavailable)
	})
}
