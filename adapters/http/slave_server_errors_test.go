package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestSlaveServerMapsNodeErrors(t *testing.T) {
	fx := loadSlaveFixture(t)
	consume := application.ConsumeRequest{ConsumerID: "c1", ProducerID: "p1", RtpCapabilities: fx.RecvRtpCapabilities}
	tests := []struct {
		name       string
		method     string
		path       string
		body       any
		nodeMethod string
		err        error
		status     int
		errName    string
		message    string
	}{
		{"unknown producer", "POST", "/internal/v1/producers/p9/pause", nil, "PauseProducer",
			fmt.Errorf("%w: p9", domain.ErrProducerNotFound), 404, "producer_not_found", "producer not found: p9"},
		{"unknown router", "POST", "/internal/v1/routers/r9/webrtc_transports", slaveCreateTransportBody{TransportID: "t1"},
			"CreateWebRtcTransport", domain.ErrRouterNotFound, 404, "router_not_found", "router not found"},
		{"unknown transport", "DELETE", "/internal/v1/webrtc_transports/t9", nil, "CloseTransport",
			domain.ErrTransportNotFound, 404, "transport_not_found", "transport not found"},
		{"cannot consume", "POST", "/internal/v1/webrtc_transports/t1/consumers", consume, "Consume",
			fmt.Errorf("%w: no common codec", domain.ErrCannotConsume), 400, "cannot_consume", "cannot consume: no common codec"},
		{"connected twice", "POST", "/internal/v1/webrtc_transports/t1/connect",
			slaveConnectBody{DtlsParameters: fx.SendConnect}, "ConnectTransport",
			domain.ErrAlreadyConnected, 409, "already_connected", "already connected"},
		{"unsupported", "POST", "/internal/v1/pipe_transports/pt1/pipe_consume", slavePipeConsumeBody{ProducerID: "p1"},
			"PipeConsume", fmt.Errorf("%w: simulcast", domain.ErrUnsupported), 400, "unsupported", "unsupported: simulcast"},
		{"unexpected error hides its detail", "GET", "/internal/v1/stats", nil, "Stats",
			errors.New("socket exploded"), 500, "internal", "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode().fail(tt.nodeMethod, tt.err)
			got := testSlave(t, NewSlaveServer(node, SlaveServerOptions{}), tt.method, tt.path, tt.body)
			require.Equal(t, tt.status, got.status, "body: %s", got.body)
			require.Equal(t, ErrorBody{Code: tt.status, Error: tt.errName, Message: tt.message}, got.errorBody(t))
			require.Len(t, node.recorded(), 1)
		})
	}
}

func TestSlaveServerRecoversFromNodePanics(t *testing.T) {
	node := newFakeNode()
	node.panic = "Stats"
	app := NewSlaveServer(node, SlaveServerOptions{})

	got := testSlave(t, app, "GET", "/internal/v1/stats", nil)
	require.Equal(t, http.StatusInternalServerError, got.status)
	require.Equal(t, "internal", got.errorBody(t).Error)

	// The app still serves after the panic.
	require.Equal(t, http.StatusOK, testSlave(t, app, "GET", "/healthz", nil).status)
}

func TestSlaveServerPathWinsOverBody(t *testing.T) {
	fx := loadSlaveFixture(t)
	tests := []struct {
		name string
		path string
		body any
		want fakeCall
	}{
		{"produce", "/internal/v1/webrtc_transports/from-path/producers",
			application.ProduceRequest{TransportID: "from-body", ProducerID: "p1", Kind: "audio",
				RtpParameters: fx.Produce[0].RtpParameters},
			fakeCall{"Produce", []any{application.ProduceRequest{TransportID: "from-path", ProducerID: "p1",
				Kind: "audio", RtpParameters: fx.Produce[0].RtpParameters}}}},
		{"consume", "/internal/v1/webrtc_transports/from-path/consumers",
			application.ConsumeRequest{TransportID: "from-body", ConsumerID: "c1", ProducerID: "p1",
				RtpCapabilities: fx.RecvRtpCapabilities},
			fakeCall{"Consume", []any{application.ConsumeRequest{TransportID: "from-path", ConsumerID: "c1",
				ProducerID: "p1", RtpCapabilities: fx.RecvRtpCapabilities}}}},
		{"create transport ignores a body routerId", "/internal/v1/routers/from-path/webrtc_transports",
			`{"routerId":"from-body","transportId":"t1"}`,
			fakeCall{"CreateWebRtcTransport", []any{"from-path", "t1"}}},
		{"pipe consume ignores a body transportId", "/internal/v1/pipe_transports/from-path/pipe_consume",
			`{"transportId":"from-body","producerId":"p1"}`,
			fakeCall{"PipeConsume", []any{"from-path", "p1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode()
			got := testSlave(t, NewSlaveServer(node, SlaveServerOptions{}), "POST", tt.path, tt.body)
			require.Equal(t, http.StatusOK, got.status, "body: %s", got.body)
			require.Equal(t, []fakeCall{tt.want}, node.recorded())
		})
	}
}

func TestSlaveServerAuth(t *testing.T) {
	const secret = "s3cret-token"
	tests := []struct {
		name   string
		method string
		path   string
		auth   string // Authorization header; "" sends none
		status int
		error  string
	}{
		{"known path without token", "GET", "/internal/v1/stats", "", 401, "unauthorized"},
		{"known path with a wrong token", "GET", "/internal/v1/stats", "Bearer nope", 401, "unauthorized"},
		{"known path with a longer token", "GET", "/internal/v1/stats", "Bearer " + secret + "x", 401, "unauthorized"},
		{"known path with another scheme", "GET", "/internal/v1/stats", "Basic " + secret, 401, "unauthorized"},
		{"known path with an empty bearer", "GET", "/internal/v1/stats", "Bearer ", 401, "unauthorized"},
		{"unknown path without token", "GET", "/internal/v1/nothing", "", 401, "unauthorized"},
		{"unknown top path without token", "POST", "/admin", "", 401, "unauthorized"},
		{"known path with the token", "GET", "/internal/v1/stats", "Bearer " + secret, 200, ""},
		{"scheme is case-insensitive", "GET", "/internal/v1/stats", "bearer " + secret, 200, ""},
		{"unknown path with the token", "GET", "/internal/v1/nothing", "Bearer " + secret, 404, "route_not_found"},
		{"healthz needs no token", "GET", "/healthz", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode()
			app := NewSlaveServer(node, SlaveServerOptions{Secret: secret})
			var headers []string
			if tt.auth != "" {
				headers = []string{"Authorization", tt.auth}
			}
			got := testSlave(t, app, tt.method, tt.path, nil, headers...)
			require.Equal(t, tt.status, got.status, "body: %s", got.body)
			if tt.error == "" {
				return
			}
			eb := got.errorBody(t)
			require.Equal(t, tt.status, eb.Code)
			require.Equal(t, tt.error, eb.Error)
			require.NotContains(t, string(got.body), secret)
			if tt.status == http.StatusUnauthorized {
				require.True(t, strings.HasPrefix(got.header.Get("WWW-Authenticate"), "Bearer"))
				require.Empty(t, node.recorded())
			}
		})
	}
}

func TestSlaveServerLimitsAndUnknownRoutes(t *testing.T) {
	tests := []struct {
		name   string
		opts   SlaveServerOptions
		method string
		path   string
		body   any
		status int
		error  string
	}{
		{"body under the limit", SlaveServerOptions{BodyLimit: 64}, "POST", "/internal/v1/routers",
			`{"routerId":"r1"}`, 200, ""},
		{"default limit takes a large body", SlaveServerOptions{}, "POST", "/internal/v1/routers",
			`{"routerId":"r1","pad":"` + strings.Repeat("x", 512<<10) + `"}`, 200, ""},
		{"unknown route", SlaveServerOptions{}, "GET", "/internal/v1/nothing", nil, 404, "route_not_found"},
		{"id missing from the path", SlaveServerOptions{}, "POST", "/internal/v1/producers//pause", nil, 404, "route_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := testSlave(t, NewSlaveServer(newFakeNode(), tt.opts), tt.method, tt.path, tt.body)
			require.Equal(t, tt.status, got.status, "body: %.300s", got.body)
			if tt.error != "" {
				require.Equal(t, tt.error, got.errorBody(t).Error)
			}
		})
	}
}

// app.Test reports an oversized body as an error of its own instead of the answer, so the limit is tested over a
// real connection.
func TestSlaveServerBodyLimitOverTheWire(t *testing.T) {
	tests := []struct {
		name   string
		opts   SlaveServerOptions
		size   int
		status int
	}{
		{"over a custom limit", SlaveServerOptions{BodyLimit: 64}, 100, 413},
		{"under a custom limit", SlaveServerOptions{BodyLimit: 256}, 100, 200},
		{"over the default 1 MiB", SlaveServerOptions{}, DefaultSlaveBodyLimit, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := startSlaveServer(t, newFakeNode(), tt.opts)
			body := `{"routerId":"` + strings.Repeat("x", tt.size) + `"}`
			resp := postAnnounced(t, base, "/internal/v1/routers", body)
			defer func() { _ = resp.Body.Close() }()
			require.Equal(t, tt.status, resp.StatusCode)
			if tt.status == http.StatusRequestEntityTooLarge {
				var eb ErrorBody
				require.NoError(t, json.NewDecoder(resp.Body).Decode(&eb))
				require.Equal(t, ErrorBody{Code: 413, Error: "body_too_large", Message: eb.Message}, eb)
			}
		})
	}
}

// postAnnounced posts body over a raw connection but sends at most its first 4 KiB: a server must refuse an
// oversized body on Content-Length alone. (Sending it all races the server's early close: the client may get a
// reset while still writing and never read the 413.)
func postAnnounced(t *testing.T, base, path, body string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	sent := body
	if len(sent) > 4096 {
		sent = sent[:4096]
	}
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", path, len(body), sent)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	return resp
}

// TestSlaveReadyz: /readyz answers without the secret, 200 when ready and 503 with the reason otherwise.
func TestSlaveReadyz(t *testing.T) {
	var ready error
	app := NewSlaveServer(newFakeNode(), SlaveServerOptions{Secret: "s3cret", Ready: func(context.Context) error { return ready }})
	got := testSlave(t, app, "GET", "/readyz", nil)
	require.Equal(t, http.StatusOK, got.status, "body: %s", got.body)

	ready = fmt.Errorf("%w: not registered with a master yet", domain.ErrUnavailable)
	got = testSlave(t, app, "GET", "/readyz", nil)
	require.Equal(t, http.StatusServiceUnavailable, got.status)
	eb := got.errorBody(t)
	require.Equal(t, "unavailable", eb.Error)
	require.Contains(t, eb.Message, "not registered")

	// Without a Ready function the route does not exist (and, with a secret, is behind it like any unknown path).
	app = NewSlaveServer(newFakeNode(), SlaveServerOptions{})
	require.Equal(t, http.StatusNotFound, testSlave(t, app, "GET", "/readyz", nil).status)
}
