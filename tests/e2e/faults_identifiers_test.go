package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestFaultIdentifiersOnEveryRoute walks every route of the real master (on PostgreSQL under
// scripts/test-postgres.sh): each path parameter given a NUL, a control character, DEL, invalid UTF-8 or 129 bytes,
// a JSON body with a NUL, and a query userId with a NUL are each answered 400 invalid_input, nothing is written, and
// the master never answers 500 (PostgreSQL refuses NUL in text: before the identifier rule, a NUL userId on
// producer_peers was a 500 and the same on consumer_routers a 200).
func TestFaultIdentifiersOnEveryRoute(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 120*time.Second)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	pub, err := client.Publish(ctx, c.API, room.ID, "alice", true, false, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub.Close()
	sub, err := client.Subscribe(ctx, c.API, room.ID, "bob", pub.ProducerIDs(), client.LoopbackOnly())
	require.NoError(t, err)
	defer sub.Close()
	good := map[string]string{"roomId": room.ID, "peerId": pub.PeerID, "routerId": sub.RouterID, "userId": "alice",
		"id": pub.ProducerIDs()[0], "consumerId": sub.Consumers[0].ID(), "producerId": pub.ProducerIDs()[0]}
	before := c.storeCounts(t)

	bad := map[string]string{
		"NUL": "a%00b", "control character": "a%01b", "newline": "a%0Ab", "DEL": "a%7Fb", "invalid UTF-8": "a%FFb",
		"129 bytes": strings.Repeat("r", domain.MaxIDLen+1),
	}
	type call struct{ name, method, path, body string }
	var calls []call
	seen := map[string]bool{}
	for _, r := range c.app.GetRoutes(true) {
		// /metrics is served before the rule (so that refusals are counted) and reads nothing from the request.
		if r.Method == http.MethodHead || r.Method == http.MethodOptions || r.Path == "/metrics" || seen[r.Method+r.Path] {
			continue
		}
		seen[r.Method+r.Path] = true
		segs := strings.Split(r.Path, "/")
		params := 0
		for i, s := range segs {
			if !strings.HasPrefix(s, ":") {
				continue
			}
			params++
			for what, v := range bad {
				with := append([]string(nil), segs...)
				with[i] = v
				calls = append(calls, call{name: r.Method + " " + r.Path + "/" + s + " " + what, method: r.Method,
					path: fill(strings.Join(with, "/"), good)})
			}
		}
		path := fill(r.Path, good)
		calls = append(calls, call{name: r.Method + " " + r.Path + "/query userId NUL", method: r.Method, path: path + "?userId=a%00b"})
		if r.Method != http.MethodGet {
			calls = append(calls,
				call{name: r.Method + " " + r.Path + "/body userId NUL", method: r.Method, path: path, body: `{"userId":"a\u0000b"}`},
				call{name: r.Method + " " + r.Path + "/body appData NUL", method: r.Method, path: path,
					body: `{"kind":"audio","appData":{"label":"x\u0000"}}`},
				call{name: r.Method + " " + r.Path + "/body roomId control", method: r.Method, path: path, body: `{"roomId":"r\u0007"}`})
		}
	}
	require.Greater(t, len(calls), 200, "every route, every kind of bad identifier")
	for _, cl := range calls {
		status, body := send(ctx, t, cl.method, c.MasterURL+cl.path, cl.body)
		if status != http.StatusBadRequest || body["error"] != "invalid_input" {
			t.Errorf("%s: %d %v", cl.name, status, body)
		}
	}
	t.Logf("%d calls with a bad identifier, all 400 invalid_input", len(calls))

	// A raw NUL byte in the request line (no escape) is refused too.
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", strings.TrimPrefix(c.MasterURL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /rooms/"+room.ID+"\x00/producer_peers HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	require.Equal(t, before, c.storeCounts(t), "nothing was written")
	for k, v := range scrape(ctx, t, c.MasterURL) {
		if strings.HasPrefix(k, "sfu_master_http_requests_total{") && strings.Contains(k, `status="5`) {
			t.Errorf("the master answered %s %v times", k, v)
		}
	}
}

// fill replaces a route pattern's parameters with the good ids of their name ("x" for names it lacks).
func fill(pattern string, good map[string]string) string {
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			name = strings.TrimSuffix(name, "?")
			if v, ok := good[name]; ok {
				segs[i] = v
			} else {
				segs[i] = "x"
			}
		}
	}
	return strings.Join(segs, "/")
}

// send makes one request and decodes a JSON object answer (nil when the answer is not one).
func send(ctx context.Context, t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	return sendAs(ctx, t, "", method, url, body)
}

// sendAs is send with a bearer token ("" sends none).
func sendAs(ctx context.Context, t *testing.T, token, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}
