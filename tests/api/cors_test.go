package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
)

// TestCORS: with CORS_ORIGINS, a browser app on a listed origin may call the API directly (its preflight is
// answered even when client tokens are required); other origins get no CORS headers, and without CORS_ORIGINS
// nobody does.
func TestCORS(t *testing.T) {
	const origin = "https://app.example.com"
	app := fullMaster(t, httpapi.MasterServerOptions{CORSOrigins: []string{origin}, APITokenSecret: "cors-test-token-secret"})

	preflight := httptest.NewRequest("OPTIONS", "/rooms", nil)
	preflight.Header.Set("Origin", origin)
	preflight.Header.Set("Access-Control-Request-Method", "POST")
	preflight.Header.Set("Access-Control-Request-Headers", "content-type,authorization")
	resp, err := app.Test(preflight)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode, "the preflight needs no token")
	require.Equal(t, origin, resp.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "POST")
	require.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), "Authorization")

	get := httptest.NewRequest("GET", "/rooms", nil)
	get.Header.Set("Origin", origin)
	resp, err = app.Test(get)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the call itself still needs its token")
	require.Equal(t, origin, resp.Header.Get("Access-Control-Allow-Origin"), "the browser may read the error")
	require.Contains(t, resp.Header.Get("Access-Control-Expose-Headers"), "X-Request-ID")

	other := httptest.NewRequest("GET", "/healthz", nil)
	other.Header.Set("Origin", "https://evil.example.net")
	resp, err = app.Test(other)
	require.NoError(t, err)
	resp.Body.Close()
	require.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), "an unlisted origin")

	plain := fullMaster(t, httpapi.MasterServerOptions{})
	get = httptest.NewRequest("GET", "/healthz", nil)
	get.Header.Set("Origin", origin)
	resp, err = plain.Test(get)
	require.NoError(t, err)
	resp.Body.Close()
	require.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), "no CORS_ORIGINS, no CORS")
}
