package httpapi

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestSlaveServerRoutes(t *testing.T) {
	fx := loadSlaveFixture(t)
	audio := fx.Produce[0].RtpParameters
	node := newFakeNode()
	produce := application.ProduceRequest{TransportID: "t1", ProducerID: "p1", Kind: domain.MediaKindAudio,
		RtpParameters: audio, Paused: true}
	consume := application.ConsumeRequest{TransportID: "t2", ConsumerID: "c1", ProducerID: "p1",
		RtpCapabilities: fx.RecvRtpCapabilities}
	pipeConnect := application.PipeConnectRequest{IP: "10.0.0.6", Port: 42000,
		SrtpParameters: &domain.SrtpParameters{CryptoSuite: "AEAD_AES_256_GCM", KeyBase64: "a2V5"}}
	piped := application.PipedProducer{ProducerID: "p1", Kind: domain.MediaKindAudio, RtpParameters: audio}

	tests := []struct {
		name   string
		method string
		path   string
		body   any
		want   any // the answer, compared as JSON
		call   fakeCall
	}{
		{"create router", "POST", "/internal/v1/routers", slaveCreateRouterBody{RouterID: "r1"}, node.router,
			fakeCall{"CreateRouter", []any{"r1"}}},
		{"close router", "DELETE", "/internal/v1/routers/r1", nil, slaveEmpty{},
			fakeCall{"CloseRouter", []any{"r1"}}},
		{"create webrtc transport", "POST", "/internal/v1/routers/r1/webrtc_transports",
			slaveCreateTransportBody{TransportID: "t1"}, node.transport,
			fakeCall{"CreateWebRtcTransport", []any{"r1", "t1"}}},
		{"connect transport", "POST", "/internal/v1/webrtc_transports/t1/connect",
			slaveConnectBody{DtlsParameters: fx.SendConnect}, slaveEmpty{},
			fakeCall{"ConnectTransport", []any{"t1", fx.SendConnect}}},
		{"close transport", "DELETE", "/internal/v1/webrtc_transports/t1", nil, slaveEmpty{},
			fakeCall{"CloseTransport", []any{"t1"}}},
		{"produce", "POST", "/internal/v1/webrtc_transports/t1/producers", produce, slaveEmpty{},
			fakeCall{"Produce", []any{produce}}},
		{"pause producer", "POST", "/internal/v1/producers/p1/pause", nil, slaveEmpty{},
			fakeCall{"PauseProducer", []any{"p1"}}},
		{"resume producer", "POST", "/internal/v1/producers/p1/resume", nil, slaveEmpty{},
			fakeCall{"ResumeProducer", []any{"p1"}}},
		{"close producer", "DELETE", "/internal/v1/producers/p1", nil, slaveEmpty{},
			fakeCall{"CloseProducer", []any{"p1"}}},
		{"consume", "POST", "/internal/v1/webrtc_transports/t2/consumers", consume, node.consumer,
			fakeCall{"Consume", []any{consume}}},
		{"resume consumer", "POST", "/internal/v1/consumers/c1/resume", nil, slaveEmpty{},
			fakeCall{"ResumeConsumer", []any{"c1"}}},
		{"close consumer", "DELETE", "/internal/v1/consumers/c1", nil, slaveEmpty{},
			fakeCall{"CloseConsumer", []any{"c1"}}},
		{"create pipe transport", "POST", "/internal/v1/routers/r1/pipe_transports",
			slaveCreatePipeBody{TransportID: "pt1", SRTP: true}, node.pipe,
			fakeCall{"CreatePipeTransport", []any{"r1", "pt1", true}}},
		{"connect pipe transport", "POST", "/internal/v1/pipe_transports/pt1/connect", pipeConnect, slaveEmpty{},
			fakeCall{"ConnectPipeTransport", []any{"pt1", pipeConnect}}},
		{"pipe consume", "POST", "/internal/v1/pipe_transports/pt1/pipe_consume",
			slavePipeConsumeBody{ProducerID: "p1"}, node.piped, fakeCall{"PipeConsume", []any{"pt1", "p1"}}},
		{"pipe produce", "POST", "/internal/v1/pipe_transports/pt2/pipe_produce", piped, slaveEmpty{},
			fakeCall{"PipeProduce", []any{"pt2", piped}}},
		{"close pipe transport", "DELETE", "/internal/v1/pipe_transports/pt1", nil, slaveEmpty{},
			fakeCall{"ClosePipeTransport", []any{"pt1"}}},
		{"stats", "GET", "/internal/v1/stats", nil, node.stats, fakeCall{"Stats", nil}},
		{"escaped id is unescaped", "POST", "/internal/v1/producers/a%2Fb%20c/pause", nil, slaveEmpty{},
			fakeCall{"PauseProducer", []any{"a/b c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode()
			app := NewSlaveServer(node, SlaveServerOptions{})
			got := testSlave(t, app, tt.method, tt.path, tt.body)
			require.Equal(t, http.StatusOK, got.status, "body: %s", got.body)
			require.Contains(t, got.header.Get("Content-Type"), "application/json")
			require.JSONEq(t, slaveJSON(t, tt.want), string(got.body))
			require.Equal(t, []fakeCall{tt.call}, node.recorded())
		})
	}
}

func TestSlaveServerHealthz(t *testing.T) {
	app := NewSlaveServer(newFakeNode(), SlaveServerOptions{})
	got := testSlave(t, app, "GET", "/healthz", nil)
	require.Equal(t, http.StatusOK, got.status)
	require.JSONEq(t, `{"status":"ok"}`, string(got.body))
}

// slaveBodyRoutes are the routes that read a JSON body.
var slaveBodyRoutes = []string{
	"/internal/v1/routers",
	"/internal/v1/routers/r1/webrtc_transports",
	"/internal/v1/webrtc_transports/t1/connect",
	"/internal/v1/webrtc_transports/t1/producers",
	"/internal/v1/webrtc_transports/t1/consumers",
	"/internal/v1/routers/r1/pipe_transports",
	"/internal/v1/pipe_transports/pt1/connect",
	"/internal/v1/pipe_transports/pt1/pipe_consume",
	"/internal/v1/pipe_transports/pt1/pipe_produce",
}

func TestSlaveServerRejectsMalformedJSON(t *testing.T) {
	for _, path := range slaveBodyRoutes {
		for _, body := range []string{`{`, `[]`, `"text"`, `{} trailing`} {
			t.Run(path+" "+body, func(t *testing.T) {
				node := newFakeNode()
				got := testSlave(t, NewSlaveServer(node, SlaveServerOptions{}), "POST", path, body)
				require.Equal(t, http.StatusBadRequest, got.status, "body: %s", got.body)
				eb := got.errorBody(t)
				require.Equal(t, 400, eb.Code)
				require.Equal(t, "invalid_input", eb.Error)
				require.Contains(t, eb.Message, "malformed JSON body")
				require.Empty(t, node.recorded(), "the node must not be called")
			})
		}
	}
}

func TestSlaveServerValidatesBeforeCallingTheNode(t *testing.T) {
	fx := loadSlaveFixture(t)
	audio := fx.Produce[0].RtpParameters
	badCaps := fx.RecvRtpCapabilities
	badCaps.Codecs = append([]domain.RtpCodecCapability{{Kind: "audio", MimeType: "nonsense", ClockRate: 1}}, badCaps.Codecs...)

	tests := []struct {
		name    string
		path    string
		body    any
		message string
	}{
		{"router id of the wrong type", "/internal/v1/routers", `{"routerId": 5}`, "malformed JSON body"},
		{"router without id", "/internal/v1/routers", `{}`, "routerId is required"},
		{"router with an empty body", "/internal/v1/routers", nil, "routerId is required"},
		{"router id too long", "/internal/v1/routers", slaveCreateRouterBody{RouterID: fmt.Sprintf("%0*d", maxSlaveIDLen+1, 1)}, "longer than"},
		{"transport without id", "/internal/v1/routers/r1/webrtc_transports", `{}`, "transportId is required"},
		{"connect without fingerprints", "/internal/v1/webrtc_transports/t1/connect", slaveConnectBody{}, "fingerprints"},
		{"connect with a bad role", "/internal/v1/webrtc_transports/t1/connect",
			slaveConnectBody{DtlsParameters: domain.DtlsParameters{Role: "boss", Fingerprints: fx.SendConnect.Fingerprints}}, "role"},
		{"produce without producer id", "/internal/v1/webrtc_transports/t1/producers",
			application.ProduceRequest{Kind: "audio", RtpParameters: audio}, "producerId is required"},
		{"produce with a bad kind", "/internal/v1/webrtc_transports/t1/producers",
			application.ProduceRequest{ProducerID: "p1", Kind: "smell", RtpParameters: audio}, "kind"},
		{"produce audio parameters as video", "/internal/v1/webrtc_transports/t1/producers",
			application.ProduceRequest{ProducerID: "p1", Kind: "video", RtpParameters: audio}, "does not match kind"},
		{"consume without consumer id", "/internal/v1/webrtc_transports/t1/consumers",
			application.ConsumeRequest{ProducerID: "p1", RtpCapabilities: fx.RecvRtpCapabilities}, "consumerId is required"},
		{"consume without producer id", "/internal/v1/webrtc_transports/t1/consumers",
			application.ConsumeRequest{ConsumerID: "c1", RtpCapabilities: fx.RecvRtpCapabilities}, "producerId is required"},
		{"consume with bad capabilities", "/internal/v1/webrtc_transports/t1/consumers",
			application.ConsumeRequest{ConsumerID: "c1", ProducerID: "p1", RtpCapabilities: badCaps}, "mimeType"},
		{"pipe without transport id", "/internal/v1/routers/r1/pipe_transports", `{"srtp":true}`, "transportId is required"},
		{"pipe connect to a host name", "/internal/v1/pipe_transports/pt1/connect",
			application.PipeConnectRequest{IP: "example.com", Port: 4000}, "ip must be"},
		{"pipe connect to 0.0.0.0", "/internal/v1/pipe_transports/pt1/connect",
			application.PipeConnectRequest{IP: "0.0.0.0", Port: 4000}, "ip must be"},
		{"pipe connect to port 0", "/internal/v1/pipe_transports/pt1/connect",
			application.PipeConnectRequest{IP: "10.0.0.1", Port: 0}, "port"},
		{"pipe connect with a bad key", "/internal/v1/pipe_transports/pt1/connect",
			application.PipeConnectRequest{IP: "10.0.0.1", Port: 4000,
				SrtpParameters: &domain.SrtpParameters{CryptoSuite: "AEAD_AES_256_GCM", KeyBase64: "!!"}}, "keyBase64"},
		{"pipe connect without suite", "/internal/v1/pipe_transports/pt1/connect",
			application.PipeConnectRequest{IP: "10.0.0.1", Port: 4000,
				SrtpParameters: &domain.SrtpParameters{KeyBase64: "a2V5"}}, "cryptoSuite"},
		{"pipe consume without producer", "/internal/v1/pipe_transports/pt1/pipe_consume", `{}`, "producerId is required"},
		{"pipe produce without parameters", "/internal/v1/pipe_transports/pt1/pipe_produce",
			application.PipedProducer{ProducerID: "p1", Kind: "audio"}, "codecs must not be empty"},
		{"bad escape in the path", "/internal/v1/producers/%zz/pause", nil, "path parameter id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode()
			got := testSlave(t, NewSlaveServer(node, SlaveServerOptions{}), "POST", tt.path, tt.body)
			require.Equal(t, http.StatusBadRequest, got.status, "body: %s", got.body)
			eb := got.errorBody(t)
			require.Equal(t, ErrorBody{Code: 400, Error: "invalid_input", Message: eb.Message}, eb)
			require.Contains(t, eb.Message, tt.message)
			require.Empty(t, node.recorded(), "the node must not be called")
		})
	}
}
