package httpapi

import (
	"context"
	"sync"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// fakeCall is one recorded SFUNode call: the method name and its arguments after ctx.
type fakeCall struct {
	Method string
	Args   []any
}

// fakeNode is a hand-written application.SFUNode that records calls, returns canned answers, fails with errs[method]
// and, when block is set, waits for it (or the caller's context) before answering.
type fakeNode struct {
	mu    sync.Mutex
	calls []fakeCall
	errs  map[string]error
	block chan struct{}
	panic string // method that panics

	router    application.RouterInfo
	transport domain.TransportInfo
	consumer  application.ConsumerInfo
	pipe      application.PipeTransportInfo
	piped     application.PipedProducer
	stats     application.NodeStats
}

var _ application.SFUNode = (*fakeNode)(nil)

func newFakeNode() *fakeNode {
	return &fakeNode{
		errs: map[string]error{},
		router: application.RouterInfo{ID: "r1", RtpCapabilities: domain.RtpCapabilities{
			Codecs: []domain.RtpCodecCapability{{Kind: domain.MediaKindAudio, MimeType: "audio/opus",
				PreferredPayloadType: 100, ClockRate: 48000, Channels: 2,
				Parameters: domain.CodecParameters{"useinbandfec": float64(1)}, RtcpFeedback: []domain.RtcpFeedback{}}},
			HeaderExtensions: []domain.RtpHeaderExtension{{Kind: domain.MediaKindAudio,
				URI: "urn:ietf:params:rtp-hdrext:sdes:mid", PreferredID: 1, Direction: "sendrecv"}},
		}},
		transport: domain.TransportInfo{ID: "t1",
			IceParameters: domain.IceParameters{UsernameFragment: "ufrag", Password: "pwd", IceLite: true},
			IceCandidates: []domain.IceCandidate{{Foundation: "udpcandidate", Priority: 1076558079,
				Address: "127.0.0.1", IP: "127.0.0.1", Protocol: "udp", Port: 40000, Type: "host"}},
			DtlsParameters: domain.DtlsParameters{Role: domain.DtlsRoleAuto,
				Fingerprints: []domain.DtlsFingerprint{{Algorithm: "sha-256", Value: "AB:CD"}}},
		},
		consumer: application.ConsumerInfo{ID: "c1", ProducerID: "p1", Kind: domain.MediaKindAudio, Type: "simple",
			RtpParameters: domain.RtpParameters{MID: "0", Codecs: []domain.RtpCodecParameters{{MimeType: "audio/opus",
				PayloadType: 100, ClockRate: 48000, Channels: 2, Parameters: domain.CodecParameters{},
				RtcpFeedback: []domain.RtcpFeedback{}}}, HeaderExtensions: []domain.RtpHeaderExtensionParameters{},
				Encodings: []domain.RtpEncodingParameters{{SSRC: 123456789}}, RTCP: domain.RtcpParameters{CNAME: "x"}}},
		pipe: application.PipeTransportInfo{ID: "pt1", IP: "10.0.0.5", Port: 41000,
			SrtpParameters: &domain.SrtpParameters{CryptoSuite: "AEAD_AES_256_GCM", KeyBase64: "a2V5"}},
		piped: application.PipedProducer{ProducerID: "p1", Kind: domain.MediaKindAudio, Paused: true,
			RtpParameters: domain.RtpParameters{Codecs: []domain.RtpCodecParameters{{MimeType: "audio/opus",
				PayloadType: 100, ClockRate: 48000, Channels: 2, Parameters: domain.CodecParameters{},
				RtcpFeedback: []domain.RtcpFeedback{}}}, HeaderExtensions: []domain.RtpHeaderExtensionParameters{},
				Encodings: []domain.RtpEncodingParameters{{SSRC: 222}}}},
		stats: application.NodeStats{Routers: 1, Transports: 2, Producers: 3, Consumers: 4, PipeTransports: 5,
			LayerSwitchesUp: []uint64{0, 1, 2, 0}, LayerSwitchesDown: []uint64{3, 1, 0, 0}, DownlinkEstimate: 750_000,
			JoinSteps: []application.JoinStepHistogram{{Step: application.JoinStepFirstPacket, Count: 3, SumSeconds: 0.6,
				// two ≤ 0.2 s, the third ≤ 0.3 s
				Buckets: []uint64{0, 0, 0, 0, 0, 0, 0, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3}}},
			KeyframeRequestsJoined: 5, KeyframeRequestsHeld: 2},
	}
}

// fail makes method answer err.
func (f *fakeNode) fail(method string, err error) *fakeNode {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs[method] = err
	return f
}

// reset forgets the calls recorded so far (a fuzz target reuses one node for every input).
func (f *fakeNode) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

// recorded returns a copy of the calls so far.
func (f *fakeNode) recorded() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...)
}

func (f *fakeNode) record(ctx context.Context, method string, args ...any) error {
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{Method: method, Args: args})
	err, block, panicking := f.errs[method], f.block, f.panic == method
	f.mu.Unlock()
	if panicking {
		panic("fake node: " + method)
	}
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return err
}

func (f *fakeNode) CreateRouter(ctx context.Context, routerID string) (application.RouterInfo, error) {
	if err := f.record(ctx, "CreateRouter", routerID); err != nil {
		return application.RouterInfo{}, err
	}
	return f.router, nil
}

func (f *fakeNode) Ping(context.Context) error { return nil }

func (f *fakeNode) CloseRouter(ctx context.Context, routerID string) error {
	return f.record(ctx, "CloseRouter", routerID)
}

func (f *fakeNode) CreateWebRtcTransport(ctx context.Context, routerID, transportID string) (domain.TransportInfo, error) {
	if err := f.record(ctx, "CreateWebRtcTransport", routerID, transportID); err != nil {
		return domain.TransportInfo{}, err
	}
	return f.transport, nil
}

func (f *fakeNode) ConnectTransport(ctx context.Context, transportID string, dtls domain.DtlsParameters) error {
	return f.record(ctx, "ConnectTransport", transportID, dtls)
}

func (f *fakeNode) CloseTransport(ctx context.Context, transportID string) error {
	return f.record(ctx, "CloseTransport", transportID)
}

func (f *fakeNode) RestartIce(ctx context.Context, transportID string) (domain.IceParameters, error) {
	if err := f.record(ctx, "RestartIce", transportID); err != nil {
		return domain.IceParameters{}, err
	}
	return domain.IceParameters{UsernameFragment: "ufrag2", Password: "restartedpassword0123456789", IceLite: true}, nil
}

func (f *fakeNode) Produce(ctx context.Context, req application.ProduceRequest) error {
	return f.record(ctx, "Produce", req)
}

func (f *fakeNode) PauseProducer(ctx context.Context, producerID string) error {
	return f.record(ctx, "PauseProducer", producerID)
}

func (f *fakeNode) ResumeProducer(ctx context.Context, producerID string) error {
	return f.record(ctx, "ResumeProducer", producerID)
}

func (f *fakeNode) CloseProducer(ctx context.Context, producerID string) error {
	return f.record(ctx, "CloseProducer", producerID)
}

func (f *fakeNode) Consume(ctx context.Context, req application.ConsumeRequest) (application.ConsumerInfo, error) {
	if err := f.record(ctx, "Consume", req); err != nil {
		return application.ConsumerInfo{}, err
	}
	return f.consumer, nil
}

func (f *fakeNode) ResumeConsumer(ctx context.Context, consumerID string) error {
	return f.record(ctx, "ResumeConsumer", consumerID)
}

func (f *fakeNode) PauseConsumer(ctx context.Context, consumerID string) error {
	return f.record(ctx, "PauseConsumer", consumerID)
}

func (f *fakeNode) CloseConsumer(ctx context.Context, consumerID string) error {
	return f.record(ctx, "CloseConsumer", consumerID)
}

func (f *fakeNode) GetConsumer(ctx context.Context, consumerID string) (application.ConsumerState, error) {
	if err := f.record(ctx, "GetConsumer", consumerID); err != nil {
		return application.ConsumerState{}, err
	}
	return application.ConsumerState{ID: consumerID, ProducerID: f.consumer.ProducerID, Kind: f.consumer.Kind, Type: f.consumer.Type}, nil
}

func (f *fakeNode) SetConsumerPreferredLayers(ctx context.Context, consumerID string, layers domain.ConsumerLayers) error {
	return f.record(ctx, "SetConsumerPreferredLayers", consumerID, layers)
}

func (f *fakeNode) CreatePipeTransport(ctx context.Context, routerID, transportID string, srtp bool) (application.PipeTransportInfo, error) {
	if err := f.record(ctx, "CreatePipeTransport", routerID, transportID, srtp); err != nil {
		return application.PipeTransportInfo{}, err
	}
	return f.pipe, nil
}

func (f *fakeNode) ConnectPipeTransport(ctx context.Context, transportID string, req application.PipeConnectRequest) error {
	return f.record(ctx, "ConnectPipeTransport", transportID, req)
}

func (f *fakeNode) PipeConsume(ctx context.Context, transportID, producerID string) (application.PipedProducer, error) {
	if err := f.record(ctx, "PipeConsume", transportID, producerID); err != nil {
		return application.PipedProducer{}, err
	}
	return f.piped, nil
}

func (f *fakeNode) PipeProduce(ctx context.Context, transportID string, p application.PipedProducer) error {
	return f.record(ctx, "PipeProduce", transportID, p)
}

func (f *fakeNode) ClosePipeConsumer(ctx context.Context, transportID, producerID string) error {
	return f.record(ctx, "ClosePipeConsumer", transportID, producerID)
}

func (f *fakeNode) ClosePipeTransport(ctx context.Context, transportID string) error {
	return f.record(ctx, "ClosePipeTransport", transportID)
}

func (f *fakeNode) Stats(ctx context.Context) (application.NodeStats, error) {
	if err := f.record(ctx, "Stats"); err != nil {
		return application.NodeStats{}, err
	}
	return f.stats, nil
}

func (f *fakeNode) GetProducerStats(ctx context.Context, producerID string) ([]application.RtpStreamStats, error) {
	if err := f.record(ctx, "GetProducerStats", producerID); err != nil {
		return nil, err
	}
	return []application.RtpStreamStats{{Type: application.StatsTypeInboundRtp, PacketCount: 1, Score: 10}}, nil
}

func (f *fakeNode) GetConsumerStats(ctx context.Context, consumerID string) ([]application.RtpStreamStats, error) {
	if err := f.record(ctx, "GetConsumerStats", consumerID); err != nil {
		return nil, err
	}
	return []application.RtpStreamStats{{Type: application.StatsTypeOutboundRtp, PacketCount: 2, Score: 9}}, nil
}

func (f *fakeNode) GetTransportStats(ctx context.Context, transportID string) (application.TransportStats, error) {
	if err := f.record(ctx, "GetTransportStats", transportID); err != nil {
		return application.TransportStats{}, err
	}
	return application.TransportStats{Type: application.StatsTypeWebRtcTransport, TransportID: transportID, DtlsState: "connected"}, nil
}
