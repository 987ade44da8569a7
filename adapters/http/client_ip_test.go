package httpapi

import (
	"io"
	"net"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// serveLoopback serves app on 127.0.0.1 until the test ends and returns its base URL (requests come from
// 127.0.0.1, a real peer address that app.Test cannot give).
func serveLoopback(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

func get(t *testing.T, url, forwardedFor string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestClientIPBehindTrustedProxies(t *testing.T) {
	trusted, err := ParseTrustedProxies("127.0.0.1, 10.0.0.0/8")
	require.NoError(t, err)
	untrusted, err := ParseTrustedProxies("192.0.2.0/24")
	require.NoError(t, err)
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/trusted", func(c *fiber.Ctx) error { return c.SendString(clientIP(c, trusted)) })
	app.Get("/untrusted", func(c *fiber.Ctx) error { return c.SendString(clientIP(c, untrusted)) })
	app.Get("/none", func(c *fiber.Ctx) error { return c.SendString(clientIP(c, nil)) })
	base := serveLoopback(t, app)

	for _, tc := range []struct{ path, xff, want string }{
		{"/none", "203.0.113.5", "127.0.0.1"},                             // no trusted proxy: the header is ignored
		{"/untrusted", "203.0.113.5", "127.0.0.1"},                        // the peer is not a trusted proxy
		{"/trusted", "", "127.0.0.1"},                                     // a trusted proxy that forwarded nothing
		{"/trusted", "203.0.113.5", "203.0.113.5"},                        // one proxy
		{"/trusted", "198.51.100.7, 203.0.113.5", "203.0.113.5"},          // the client's own (spoofed) entry is ignored
		{"/trusted", "203.0.113.5, 10.1.2.3", "203.0.113.5"},              // two trusted proxies in a chain
		{"/trusted", "not-an-ip, 203.0.113.5", "203.0.113.5"},             // garbage left of the client does not matter
		{"/trusted", "203.0.113.5, not-an-ip", "127.0.0.1"},               // garbage from a proxy: believe nothing beyond it
		{"/trusted", "10.9.9.9, 10.1.2.3", "10.9.9.9"},                    // only proxies: the farthest one known
		{"/trusted", "2001:db8::1", "2001:db8::1"},                        // IPv6 clients
		{"/trusted", "::ffff:203.0.113.5", "203.0.113.5"},                 // IPv4-mapped
		{"/trusted", "203.0.113.5,203.0.113.6 , 10.0.0.1", "203.0.113.6"}, // spacing
	} {
		status, body := get(t, base+tc.path, tc.xff)
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, tc.want, body, "%s X-Forwarded-For %q", tc.path, tc.xff)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.1 ,10.1.0.0/16,, ::1, 192.168.1.77/24")
	require.NoError(t, err)
	require.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32"), netip.MustParsePrefix("10.1.0.0/16"),
		netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("192.168.1.0/24")}, got)
	for _, bad := range []string{"proxy.example.com", "10.0.0.0/33", "10.0.0.1:80"} {
		_, err := ParseTrustedProxies(bad)
		require.ErrorIs(t, err, domain.ErrInvalidInput, bad)
	}
}

// TestRoomCreateRateIsPerClientBehindAProxy: behind a trusted proxy, each client has its own allowance; without
// TRUSTED_PROXIES every client shares the proxy's.
func TestRoomCreateRateIsPerClientBehindAProxy(t *testing.T) {
	trusted, err := ParseTrustedProxies("127.0.0.1")
	require.NoError(t, err)
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ErrorHandler: errorHandler})
	ok := func(c *fiber.Ctx) error { return c.SendString("ok") }
	app.Get("/behind", roomCreateLimiter(1, trusted), ok)
	app.Get("/direct", roomCreateLimiter(1, nil), ok)
	base := serveLoopback(t, app)

	for _, client := range []string{"203.0.113.5", "203.0.113.6"} {
		status, _ := get(t, base+"/behind", client)
		require.Equal(t, http.StatusOK, status, "first room of %s", client)
	}
	status, body := get(t, base+"/behind", "203.0.113.5")
	require.Equal(t, http.StatusTooManyRequests, status)
	require.Contains(t, body, `"error":"too_many_requests"`)

	status, _ = get(t, base+"/direct", "203.0.113.5")
	require.Equal(t, http.StatusOK, status)
	status, _ = get(t, base+"/direct", "203.0.113.6")
	require.Equal(t, http.StatusTooManyRequests, status, "without trusted proxies the header does not split the allowance")
}
