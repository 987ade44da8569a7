package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestSlaveClientMapsSlaveErrorsToSentinels(t *testing.T) {
	fx := loadSlaveFixture(t)
	consume := application.ConsumeRequest{TransportID: "t1", ConsumerID: "c1", ProducerID: "p1",
		RtpCapabilities: fx.RecvRtpCapabilities}
	tests := []struct {
		name       string
		nodeMethod string
		nodeErr    error
		call       func(ctx context.Context, c *SlaveClient) error
		want       error
		message    string
	}{
		{"cannot consume", "Consume", fmt.Errorf("%w: no common codec", domain.ErrCannotConsume),
			func(ctx context.Context, c *SlaveClient) error { _, err := c.Consume(ctx, consume); return err },
			domain.ErrCannotConsume, "cannot consume: no common codec"},
		{"unknown producer", "PauseProducer", fmt.Errorf("%w: p1", domain.ErrProducerNotFound),
			func(ctx context.Context, c *SlaveClient) error { return c.PauseProducer(ctx, "p1") },
			domain.ErrProducerNotFound, "producer not found: p1"},
		{"bare sentinel", "ResumeConsumer", domain.ErrConsumerNotFound,
			func(ctx context.Context, c *SlaveClient) error { return c.ResumeConsumer(ctx, "c1") },
			domain.ErrConsumerNotFound, "consumer not found"},
		{"already connected", "ConnectTransport", domain.ErrAlreadyConnected,
			func(ctx context.Context, c *SlaveClient) error { return c.ConnectTransport(ctx, "t1", fx.SendConnect) },
			domain.ErrAlreadyConnected, "already connected"},
		{"slave-side validation", "", nil,
			func(ctx context.Context, c *SlaveClient) error {
				return c.ConnectTransport(ctx, "t1", domain.DtlsParameters{Role: "auto"})
			},
			domain.ErrInvalidInput, "invalid input: dtlsParameters.fingerprints must not be empty"},
		{"unsupported", "Produce", fmt.Errorf("%w: simulcast", domain.ErrUnsupported),
			func(ctx context.Context, c *SlaveClient) error {
				return c.Produce(ctx, application.ProduceRequest{TransportID: "t1", ProducerID: "p1",
					Kind: fx.Produce[0].Kind, RtpParameters: fx.Produce[0].RtpParameters})
			},
			domain.ErrUnsupported, "unsupported: simulcast"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode()
			if tt.nodeMethod != "" {
				node.fail(tt.nodeMethod, tt.nodeErr)
			}
			base := startSlaveServer(t, node, SlaveServerOptions{})
			err := tt.call(t.Context(), NewSlaveClient(base, SlaveClientOptions{}))
			require.ErrorIs(t, err, tt.want)
			require.NotErrorIs(t, err, domain.ErrSlaveFailed)
			require.EqualError(t, err, tt.message)
			require.NotContains(t, err.Error(), base, "domain errors may reach public clients: no slave URL")
		})
	}
}

func TestSlaveClientCloseTreatsNotFoundAsDone(t *testing.T) {
	tests := []struct {
		method string
		err    error
		call   func(ctx context.Context, c *SlaveClient) error
	}{
		{"CloseRouter", domain.ErrRouterNotFound, func(ctx context.Context, c *SlaveClient) error { return c.CloseRouter(ctx, "r1") }},
		{"CloseTransport", domain.ErrTransportNotFound, func(ctx context.Context, c *SlaveClient) error { return c.CloseTransport(ctx, "t1") }},
		{"CloseProducer", domain.ErrProducerNotFound, func(ctx context.Context, c *SlaveClient) error { return c.CloseProducer(ctx, "p1") }},
		{"CloseConsumer", domain.ErrConsumerNotFound, func(ctx context.Context, c *SlaveClient) error { return c.CloseConsumer(ctx, "c1") }},
		{"ClosePipeTransport", domain.ErrTransportNotFound, func(ctx context.Context, c *SlaveClient) error { return c.ClosePipeTransport(ctx, "pt1") }},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			node := newFakeNode().fail(tt.method, tt.err)
			client := NewSlaveClient(startSlaveServer(t, node, SlaveServerOptions{}), SlaveClientOptions{})
			require.NoError(t, tt.call(t.Context(), client))
			require.Len(t, node.recorded(), 1, "the call reached the slave")
		})
		t.Run(tt.method+" still fails on other errors", func(t *testing.T) {
			node := newFakeNode().fail(tt.method, domain.ErrConflict)
			client := NewSlaveClient(startSlaveServer(t, node, SlaveServerOptions{}), SlaveClientOptions{})
			require.ErrorIs(t, tt.call(t.Context(), client), domain.ErrConflict)
		})
	}
}

func TestSlaveClientFailures(t *testing.T) {
	closedPort := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())
		return "http://" + addr
	}
	raw := func(status int, contentType, body string) func(t *testing.T) string {
		return func(t *testing.T) string {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", contentType)
				w.WriteHeader(status)
				_, _ = w.Write([]byte(body))
			}))
			t.Cleanup(srv.Close)
			return srv.URL
		}
	}
	ours := func(node *fakeNode, opts SlaveServerOptions) func(t *testing.T) string {
		return func(t *testing.T) string { return startSlaveServer(t, node, opts) }
	}
	stats := func(ctx context.Context, c *SlaveClient) error { _, err := c.Stats(ctx); return err }
	closeProducer := func(ctx context.Context, c *SlaveClient) error { return c.CloseProducer(ctx, "p1") }

	tests := []struct {
		name    string
		server  func(t *testing.T) string
		opts    SlaveClientOptions
		call    func(ctx context.Context, c *SlaveClient) error
		also    error  // another error the result must match, if any
		message string // a part of the message
	}{
		{"500 from the node", ours(newFakeNode().fail("Stats", errors.New("boom")), SlaveServerOptions{}),
			SlaveClientOptions{}, stats, nil, "status 500 internal: internal error"},
		{"a named 5xx is still a failure", ours(newFakeNode().fail("Stats", domain.ErrUnavailable), SlaveServerOptions{}),
			SlaveClientOptions{}, stats, nil, "status 503 unavailable"},
		{"closed port", closedPort, SlaveClientOptions{}, stats, nil, "connection refused"},
		{"wrong secret", ours(newFakeNode(), SlaveServerOptions{Secret: "right"}), SlaveClientOptions{Secret: "wrong"},
			stats, nil, "status 401 unauthorized"},
		{"undecodable success", raw(200, "application/json", "{not json"), SlaveClientOptions{}, stats, nil,
			"undecodable answer"},
		{"html error page", raw(502, "text/html", "<html>bad gateway</html>"), SlaveClientOptions{}, stats, nil,
			"undecodable body"},
		{"a 404 that is not ours does not count as closed", raw(404, "text/plain", "404 page not found"),
			SlaveClientOptions{}, closeProducer, nil, "status 404"},
		{"a route_not_found 404 does not count as closed",
			raw(404, "application/json", `{"code":404,"error":"route_not_found","message":"Cannot DELETE"}`),
			SlaveClientOptions{}, closeProducer, nil, "status 404 route_not_found"},
		{"redirects are not followed", raw(http.StatusTemporaryRedirect, "text/plain", ""), SlaveClientOptions{}, stats, nil,
			"status 307"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := tt.server(t)
			err := tt.call(t.Context(), NewSlaveClient(base, tt.opts))
			require.ErrorIs(t, err, domain.ErrSlaveFailed)
			if tt.also != nil {
				require.ErrorIs(t, err, tt.also)
			}
			require.Contains(t, err.Error(), base+"/internal/v1/", "the message names the slave and the path")
			require.Contains(t, err.Error(), tt.message)
		})
	}
}

func TestSlaveClientTimesOut(t *testing.T) {
	node := newFakeNode()
	node.block = make(chan struct{})
	base := startSlaveServer(t, node, SlaveServerOptions{})
	t.Cleanup(func() { close(node.block) }) // runs before the server's shutdown (cleanups run last-in first-out)

	client := NewSlaveClient(base, SlaveClientOptions{Timeout: 200 * time.Millisecond})
	start := time.Now()
	_, err := client.Stats(t.Context()) // the caller's context has no deadline: the client's must apply
	elapsed := time.Since(start)

	require.ErrorIs(t, err, domain.ErrSlaveFailed)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Contains(t, err.Error(), "no answer within 200ms")
	require.Contains(t, err.Error(), base+"/internal/v1/stats")
	require.GreaterOrEqual(t, elapsed, 200*time.Millisecond)
	require.Less(t, elapsed, 2*time.Second)
}

func TestSlaveClientHonoursTheCallersContext(t *testing.T) {
	node := newFakeNode()
	node.block = make(chan struct{})
	base := startSlaveServer(t, node, SlaveServerOptions{})
	t.Cleanup(func() { close(node.block) })

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := NewSlaveClient(base, SlaveClientOptions{Timeout: 10 * time.Second}).PauseProducer(ctx, "p1")
	require.ErrorIs(t, err, domain.ErrSlaveFailed)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 2*time.Second)

	canceled, cancelNow := context.WithCancel(t.Context())
	cancelNow()
	err = NewSlaveClient(base, SlaveClientOptions{}).PauseProducer(canceled, "p1")
	require.ErrorIs(t, err, domain.ErrSlaveFailed)
	require.ErrorIs(t, err, context.Canceled)
}

func TestSlaveClientRefusesEmptyPathIDs(t *testing.T) {
	calls := map[string]func(ctx context.Context, c *SlaveClient) error{
		"CloseRouter": func(ctx context.Context, c *SlaveClient) error { return c.CloseRouter(ctx, "") },
		"CreateWebRtcTransport": func(ctx context.Context, c *SlaveClient) error {
			_, err := c.CreateWebRtcTransport(ctx, "", "t1")
			return err
		},
		"Produce": func(ctx context.Context, c *SlaveClient) error {
			return c.Produce(ctx, application.ProduceRequest{ProducerID: "p1"})
		},
		"Consume": func(ctx context.Context, c *SlaveClient) error {
			_, err := c.Consume(ctx, application.ConsumeRequest{ConsumerID: "c1"})
			return err
		},
		"PipeConsume": func(ctx context.Context, c *SlaveClient) error {
			_, err := c.PipeConsume(ctx, "", "p1")
			return err
		},
	}
	// No server at all: the call must fail before dialing.
	client := NewSlaveClient("http://127.0.0.1:1", SlaveClientOptions{})
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call(t.Context(), client)
			require.ErrorIs(t, err, domain.ErrInvalidInput)
			require.True(t, strings.Contains(err.Error(), "empty id"), err.Error())
		})
	}
}
