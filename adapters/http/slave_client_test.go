package httpapi

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// startSlaveServer serves NewSlaveServer(node, opts) on a loopback port until the test ends and returns its URL.
func startSlaveServer(t *testing.T, node application.SFUNode, opts SlaveServerOptions) string {
	t.Helper()
	app := NewSlaveServer(node, opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	t.Cleanup(func() {
		require.NoError(t, app.ShutdownWithTimeout(5*time.Second))
		<-served
	})
	return "http://" + ln.Addr().String()
}

func TestSlaveClientRoundTrip(t *testing.T) {
	fx := loadSlaveFixture(t)
	audio := fx.Produce[0].RtpParameters
	produce := application.ProduceRequest{TransportID: "t1", ProducerID: "p1", Kind: domain.MediaKindAudio,
		RtpParameters: audio, Paused: true}
	consume := application.ConsumeRequest{TransportID: "t2", ConsumerID: "c1", ProducerID: "p1",
		RtpCapabilities: fx.RecvRtpCapabilities}
	pipeConnect := application.PipeConnectRequest{IP: "10.0.0.6", Port: 42000,
		SrtpParameters: &domain.SrtpParameters{CryptoSuite: "AEAD_AES_256_GCM", KeyBase64: "a2V5"}}
	piped := application.PipedProducer{ProducerID: "p1", Kind: domain.MediaKindAudio, RtpParameters: audio}
	canned := newFakeNode()
	one := 1
	layers := domain.ConsumerLayers{SpatialLayer: 2, TemporalLayer: &one}
	sctpCaps := domain.SctpCapabilities{NumStreams: domain.NumSctpStreams{OS: 1024, MIS: 1024}}
	produceData := application.DataProduceRequest{TransportID: "t1", DataProducerID: "dp1",
		SctpStreamParameters: domain.SctpStreamParameters{StreamID: 0}.Normalized(), Label: "chat", Protocol: "json"}
	consumeData := application.DataConsumeRequest{TransportID: "t2", DataConsumerID: "dc1", DataProducerID: "dp1"}

	tests := []struct {
		name string
		call func(ctx context.Context, c *SlaveClient) (any, error)
		want any // the answer; nil for calls that answer only an error
		node fakeCall
	}{
		{"CreateRouter", func(ctx context.Context, c *SlaveClient) (any, error) { return c.CreateRouter(ctx, "r1") },
			canned.router, fakeCall{"CreateRouter", []any{"r1"}}},
		{"CloseRouter", func(ctx context.Context, c *SlaveClient) (any, error) { return nil, c.CloseRouter(ctx, "r1") },
			nil, fakeCall{"CloseRouter", []any{"r1"}}},
		{"CreateWebRtcTransport", func(ctx context.Context, c *SlaveClient) (any, error) {
			return c.CreateWebRtcTransport(ctx, "r1", "t1")
		}, canned.transport, fakeCall{"CreateWebRtcTransport", []any{"r1", "t1"}}},
		{"ConnectTransport", func(ctx context.Context, c *SlaveClient) (any, error) {
			return nil, c.ConnectTransport(ctx, "t1", fx.SendConnect)
		}, nil, fakeCall{"ConnectTransport", []any{"t1", fx.SendConnect}}},
		{"CloseTransport", func(ctx context.Context, c *SlaveClient) (any, error) { return nil, c.CloseTransport(ctx, "t1") },
			nil, fakeCall{"CloseTransport", []any{"t1"}}},
		{"Produce", func(ctx context.Context, c *SlaveClient) (any, error) { return nil, c.Produce(ctx, produce) },
			nil, fakeCall{"Produce", []any{produce}}},
		{"PauseProducer", func(ctx context.Context, c *SlaveClient) (any, error) { return nil, c.PauseProducer(ctx, "p1") },
			nil, fakeCall{"PauseProducer", []any{"p1"}}},
		{"ResumeProducer", func(ctx context.Context, c *SlaveClient) (any, error) { return nil, c.ResumeProducer(ctx, "p1") },
			nil, fakeCall{"ResumeProducer", []any{"p1"}}},
		{"CloseProducer", func(ctx context.Context, c *SlaveClient) (any, error) { return nil, c.CloseProducer(ctx, "p1") },
			nil, fakeCall{"CloseProducer", []any{"p1"}}},
		{"Consume", func(ctx context.Context, c *SlaveClient) (any, error) { return c.Consume(ctx, consume) },
			canned.consumer, fakeCall{"Consume", []any{consume}}},
		{"ResumeConsumer", func(ctx context.Context, c *SlaveClient) (any, error) { return nil, c.ResumeConsumer(ctx, "c1") },
			nil, fakeCall{"ResumeConsumer", []any{"c1"}}},
		{"PauseConsumer", func(ctx context.Context, c *SlaveClient) (any, error) { return nil, c.PauseConsumer(ctx, "c1") },
			nil, fakeCall{"PauseConsumer", []any{"c1"}}},
		{"CloseConsumer", func(ctx context.Context, c *SlaveClient) (any, error) { return nil, c.CloseConsumer(ctx, "c1") },
			nil, fakeCall{"CloseConsumer", []any{"c1"}}},
		{"GetConsumer", func(ctx context.Context, c *SlaveClient) (any, error) { return c.GetConsumer(ctx, "c1") },
			application.ConsumerState{ID: "c1", ProducerID: canned.consumer.ProducerID, Kind: canned.consumer.Kind, Type: canned.consumer.Type},
			fakeCall{"GetConsumer", []any{"c1"}}},
		{"SetConsumerPreferredLayers", func(ctx context.Context, c *SlaveClient) (any, error) {
			return nil, c.SetConsumerPreferredLayers(ctx, "c1", layers)
		}, nil, fakeCall{"SetConsumerPreferredLayers", []any{"c1", layers}}},
		{"CreatePipeTransport", func(ctx context.Context, c *SlaveClient) (any, error) {
			return c.CreatePipeTransport(ctx, "r1", "pt1", true)
		}, canned.pipe, fakeCall{"CreatePipeTransport", []any{"r1", "pt1", true}}},
		{"ConnectPipeTransport", func(ctx context.Context, c *SlaveClient) (any, error) {
			return nil, c.ConnectPipeTransport(ctx, "pt1", pipeConnect)
		}, nil, fakeCall{"ConnectPipeTransport", []any{"pt1", pipeConnect}}},
		{"PipeConsume", func(ctx context.Context, c *SlaveClient) (any, error) { return c.PipeConsume(ctx, "pt1", "p1") },
			canned.piped, fakeCall{"PipeConsume", []any{"pt1", "p1"}}},
		{"PipeProduce", func(ctx context.Context, c *SlaveClient) (any, error) { return nil, c.PipeProduce(ctx, "pt2", piped) },
			nil, fakeCall{"PipeProduce", []any{"pt2", piped}}},
		{"ClosePipeTransport", func(ctx context.Context, c *SlaveClient) (any, error) {
			return nil, c.ClosePipeTransport(ctx, "pt1")
		}, nil, fakeCall{"ClosePipeTransport", []any{"pt1"}}},
		{"ClosePipeConsumer", func(ctx context.Context, c *SlaveClient) (any, error) {
			return nil, c.ClosePipeConsumer(ctx, "pt1", "p/1 %x")
		}, nil, fakeCall{"ClosePipeConsumer", []any{"pt1", "p/1 %x"}}},
		{"Stats", func(ctx context.Context, c *SlaveClient) (any, error) { return c.Stats(ctx) },
			canned.stats, fakeCall{"Stats", nil}},
		{"GetProducerStats", func(ctx context.Context, c *SlaveClient) (any, error) { return c.GetProducerStats(ctx, "p1") },
			[]application.RtpStreamStats{{Type: application.StatsTypeInboundRtp, PacketCount: 1, Score: 10}}, fakeCall{"GetProducerStats", []any{"p1"}}},
		{"GetConsumerStats", func(ctx context.Context, c *SlaveClient) (any, error) { return c.GetConsumerStats(ctx, "c1") },
			[]application.RtpStreamStats{{Type: application.StatsTypeOutboundRtp, PacketCount: 2, Score: 9}}, fakeCall{"GetConsumerStats", []any{"c1"}}},
		{"GetTransportStats", func(ctx context.Context, c *SlaveClient) (any, error) { return c.GetTransportStats(ctx, "t1") },
			application.TransportStats{Type: application.StatsTypeWebRtcTransport, TransportID: "t1", DtlsState: "connected"},
			fakeCall{"GetTransportStats", []any{"t1"}}},
		{"EnableSctp", func(ctx context.Context, c *SlaveClient) (any, error) { return c.EnableSctp(ctx, "t1", sctpCaps) },
			fakeSctpParameters, fakeCall{"EnableSctp", []any{"t1", sctpCaps}}},
		{"ProduceData", func(ctx context.Context, c *SlaveClient) (any, error) { return nil, c.ProduceData(ctx, produceData) },
			nil, fakeCall{"ProduceData", []any{produceData}}},
		{"ConsumeData", func(ctx context.Context, c *SlaveClient) (any, error) { return c.ConsumeData(ctx, consumeData) },
			fakeDataConsumer, fakeCall{"ConsumeData", []any{consumeData}}},
		{"CloseDataProducer", func(ctx context.Context, c *SlaveClient) (any, error) { return nil, c.CloseDataProducer(ctx, "dp1") },
			nil, fakeCall{"CloseDataProducer", []any{"dp1"}}},
		{"CloseDataConsumer", func(ctx context.Context, c *SlaveClient) (any, error) { return nil, c.CloseDataConsumer(ctx, "dc1") },
			nil, fakeCall{"CloseDataConsumer", []any{"dc1"}}},
		{"PipeConsumeData", func(ctx context.Context, c *SlaveClient) (any, error) { return c.PipeConsumeData(ctx, "pt1", "dp1") },
			fakePipedData, fakeCall{"PipeConsumeData", []any{"pt1", "dp1"}}},
		{"PipeProduceData", func(ctx context.Context, c *SlaveClient) (any, error) {
			return nil, c.PipeProduceData(ctx, "pt2", fakePipedData)
		}, nil, fakeCall{"PipeProduceData", []any{"pt2", fakePipedData}}},
		{"ClosePipeDataConsumer", func(ctx context.Context, c *SlaveClient) (any, error) {
			return nil, c.ClosePipeDataConsumer(ctx, "pt1", "dp/1")
		}, nil, fakeCall{"ClosePipeDataConsumer", []any{"pt1", "dp/1"}}},
		{"ids with reserved characters survive the path", func(ctx context.Context, c *SlaveClient) (any, error) {
			return nil, c.PauseProducer(ctx, "a/b c?d#e%f")
		}, nil, fakeCall{"PauseProducer", []any{"a/b c?d#e%f"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode()
			const secret = "round-trip-secret"
			client := NewSlaveClient(startSlaveServer(t, node, SlaveServerOptions{Secret: secret})+"/",
				SlaveClientOptions{Secret: secret})
			got, err := tt.call(t.Context(), client)
			require.NoError(t, err)
			if tt.want != nil {
				require.Equal(t, tt.want, got)
			}
			require.Equal(t, []fakeCall{tt.node}, node.recorded())
		})
	}
}
