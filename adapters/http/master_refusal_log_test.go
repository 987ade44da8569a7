package httpapi_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
)

// The master logs a refused request (4xx) at debug level with its request id, route and error code, so an
// operator debugging a client sees why it was refused; at info level nothing is logged.
func TestMasterLogsRefusalsAtDebug(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	app := httpapi.NewMasterServer(httpapi.MasterUseCases{}, httpapi.MasterServerOptions{Logger: zap.New(core)})
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		route, code, message     string
	}{
		{"malformed body", http.MethodPost, "/rooms/r1/consumer_routers", `{"userId": 5}`, 400,
			"/rooms/:roomId/consumer_routers", "invalid_input", `field "userId" must be of type string`},
		{"not an object", http.MethodPost, "/rooms", `[1]`, 400, "/rooms", "invalid_input", "must be a JSON object"},
		{"unknown route", http.MethodGet, "/nowhere", "", 404, "/", "route_not_found", "Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := logs.Len()
			req := httptest.NewRequest(tc.method, tc.path, bytes.NewBufferString(tc.body))
			req.Header.Set("X-Request-ID", "client-req-"+tc.code)
			resp, err := app.Test(req, -1)
			require.NoError(t, err)
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, tc.status, resp.StatusCode, "%s", raw)
			entries := logs.All()[before:]
			require.Len(t, entries, 1)
			e := entries[0]
			require.Equal(t, zapcore.DebugLevel, e.Level)
			fields := e.ContextMap()
			require.Equal(t, "client-req-"+tc.code, fields["request_id"])
			require.Equal(t, tc.route, fields["route"])
			require.Equal(t, tc.path, fields["path"])
			require.Equal(t, tc.code, fields["error_code"])
			require.EqualValues(t, tc.status, fields["status"])
			require.Contains(t, fields["error"], tc.message)
		})
	}

	quiet, none := observer.New(zapcore.InfoLevel)
	app = httpapi.NewMasterServer(httpapi.MasterUseCases{}, httpapi.MasterServerOptions{Logger: zap.New(quiet)})
	resp, err := app.Test(httptest.NewRequest(http.MethodPost, "/rooms", bytes.NewBufferString(`[1]`)), -1)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, 400, resp.StatusCode)
	require.Zero(t, none.Len(), "refusals are not logged at info level")
}
