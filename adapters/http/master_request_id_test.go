package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// The master logs a 5xx with the request id its answer carries (header and message), and not the cause's text in
// the answer.
func TestMasterLogsFailuresWithTheRequestID(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	var fail error
	app := httpapi.NewMasterServer(httpapi.MasterUseCases{
		Ready: func(context.Context) error { return fail },
	}, httpapi.MasterServerOptions{Logger: zap.New(core)})

	for _, tc := range []struct {
		name   string
		err    error
		status int
	}{
		{"ready", nil, 200},
		{"database down", fmt.Errorf("list slaves: %w: dial tcp 10.0.0.9:5432: connection refused", domain.ErrUnavailable), 503},
		{"unexpected", errors.New("secret internal detail"), 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fail = tc.err
			before := logs.Len()
			resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/readyz", nil), -1)
			require.NoError(t, err)
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, tc.status, resp.StatusCode, "%s", raw)
			rid := resp.Header.Get("X-Request-ID")
			require.NotEmpty(t, rid)
			entries := logs.All()[before:]
			if tc.err == nil {
				require.Empty(t, entries)
				return
			}
			var body httpapi.ErrorBody
			require.NoError(t, json.Unmarshal(raw, &body))
			require.Equal(t, tc.status, body.Code)
			require.Contains(t, body.Message, rid, "the client can quote the request id")
			require.NotContains(t, string(raw), "10.0.0.9")
			require.NotContains(t, string(raw), "secret internal detail")
			require.Len(t, entries, 1)
			fields := entries[0].ContextMap()
			require.Equal(t, rid, fields["request_id"])
			require.Contains(t, fields["error"], tc.err.Error(), "the log keeps the cause")
		})
	}
}
