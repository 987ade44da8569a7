package httpapi

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Every answer of the internal API carries an X-Request-ID, and the log line of a failed request names the same
// id, so a master's "slave failed" can be found in the slave's log.
func TestSlaveRequestIDs(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	node := newFakeNode().fail("CloseRouter", errors.New("engine exploded at 10.0.0.5"))
	node.fail("CloseTransport", domain.ErrTransportNotFound)
	node.panic = "CloseConsumer"
	app := NewSlaveServer(node, SlaveServerOptions{Secret: "cluster-secret-0123456789", Logger: zap.New(core)})
	auth := []string{"Authorization", "Bearer cluster-secret-0123456789"}

	seen := map[string]bool{}
	for _, tc := range []struct {
		name, method, path string
		headers            []string
		status             int
		level              zapcore.Level // of the log line; -2 for none
	}{
		{"health", "GET", "/healthz", nil, 200, -2},
		{"ok", "POST", "/internal/v1/producers/p1/pause", auth, 200, -2},
		{"unauthenticated", "GET", "/internal/v1/stats", nil, 401, zapcore.DebugLevel},
		{"unknown route", "GET", "/internal/v1/nope", auth, 404, zapcore.DebugLevel},
		{"not found", "DELETE", "/internal/v1/webrtc_transports/t1", auth, 404, zapcore.DebugLevel},
		{"engine error", "DELETE", "/internal/v1/routers/r1", auth, 500, zapcore.WarnLevel},
		{"panic", "DELETE", "/internal/v1/consumers/c1", auth, 500, zapcore.WarnLevel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := logs.Len()
			got := testSlave(t, app, tc.method, tc.path, nil, tc.headers...)
			require.Equal(t, tc.status, got.status, "body: %s", got.body)
			rid := got.header.Get("X-Request-ID")
			require.NotEmpty(t, rid, "every answer carries a request id")
			require.False(t, seen[rid], "request ids are unique")
			seen[rid] = true
			if tc.status >= 400 {
				require.Equal(t, tc.status, got.errorBody(t).Code)
			}
			if tc.status == 500 {
				require.Equal(t, "internal error", got.errorBody(t).Message, "the cause stays in the log")
			}
			entries := logs.All()[before:]
			if tc.level == -2 {
				require.Empty(t, entries)
				return
			}
			require.Len(t, entries, 1)
			e := entries[0]
			require.Equal(t, tc.level, e.Level)
			fields := e.ContextMap()
			require.Equal(t, rid, fields["request_id"], "the log line names the answer's request id")
			require.EqualValues(t, tc.status, fields["status"])
			require.Equal(t, tc.path, fields["path"])
			if tc.name == "engine error" {
				require.Contains(t, fields["error"], "engine exploded", "the 5xx's cause is logged")
			}
		})
	}
}

// A caller's X-Request-ID is kept, so one id can follow a call from the master to the slave.
func TestSlaveKeepsTheCallersRequestID(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	app := NewSlaveServer(newFakeNode().fail("Stats", errors.New("boom")), SlaveServerOptions{Logger: zap.New(core)})
	got := testSlave(t, app, "GET", "/internal/v1/stats", nil, "X-Request-ID", "master-req-42")
	require.Equal(t, http.StatusInternalServerError, got.status)
	require.Equal(t, "master-req-42", got.header.Get("X-Request-ID"))
	require.Equal(t, 1, logs.FilterField(zap.String("request_id", "master-req-42")).Len())
}
