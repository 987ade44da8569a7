package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
)

// TestMasterMetrics checks the master's wiring of httpapi.Metrics: request counts labelled by route pattern,
// /metrics served next to the secret-guarded registry routes.
func TestMasterMetrics(t *testing.T) {
	app := fullMaster(t, httpapi.MasterServerOptions{ClusterSecret: "s3cret"})
	send := func(method, path string, headers ...string) int {
		t.Helper()
		req := httptest.NewRequest(method, path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := app.Test(req, -1)
		require.NoError(t, err)
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		require.NoError(t, err)
		return resp.StatusCode
	}
	for i := range 5 {
		require.Equal(t, http.StatusNotFound, send(http.MethodGet, fmt.Sprintf("/rooms/room-%d", i)))
		require.Equal(t, http.StatusNotFound, send(http.MethodGet, fmt.Sprintf("/no/such/route/%d", i)))
	}
	require.Equal(t, http.StatusUnauthorized, send(http.MethodGet, "/slaves"))
	require.Equal(t, http.StatusOK, send(http.MethodGet, "/slaves", "Authorization", "Bearer s3cret"))

	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	resp, err := app.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "/metrics needs no secret")
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	text := string(body)

	for _, want := range []string{
		`sfu_master_http_requests_total{method="GET",route="/rooms/:roomId",status="404"} 5`,
		`sfu_master_http_requests_total{method="GET",route="unmatched",status="404"} 5`,
		`sfu_master_http_requests_total{method="GET",route="/slaves",status="200"} 1`,
		`sfu_master_http_request_duration_seconds_count{method="GET",route="/rooms/:roomId"} 5`,
	} {
		require.Contains(t, text, want+"\n")
	}
	require.NotContains(t, text, "room-1", "ids never become label values")
	require.NotContains(t, text, "/no/such/route")
	// The 401 comes from the group's auth middleware: its prefix is a registered pattern, so it is still bounded.
	require.True(t, strings.Contains(text, `route="/slaves",status="401"`) || strings.Contains(text, `route="unmatched",status="401"`), text)
}
