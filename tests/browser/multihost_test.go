package browser

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	rooms "github.com/sfu-cluster/sfu-cluster/examples/rooms"
	"github.com/sfu-cluster/sfu-cluster/tests/netns"
)

// multiHostResult is what multihost.mjs measured (its RESULT_FILE).
type multiHostResult struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	RoomID  string `json:"roomId"`
	Viewers []struct {
		Name          string   `json:"name"`
		FirstFrameMs  *float64 `json:"firstFrameMs"`
		FramesDecoded int      `json:"framesDecoded"`
	} `json:"viewers"`
	AfterStop struct {
		FramesBefore int `json:"framesBefore"`
		FramesAfter  int `json:"framesAfter"`
		Ms           int `json:"ms"`
	} `json:"afterStop"`
}

// TestMultiHostDeployment runs docs/OPERATIONS.md's worked example on network namespaces, one per host, with the
// example's own .env files (deploy/multihost): PostgreSQL on db, two masters, a producer and a consumer slave
// whose pipes run on the private LAN (PIPE_LISTEN_IP) while browsers reach them on the public one, and a load
// balancer in front of the masters. An unchanged mediasoup-client publisher and viewer (Chromium, each in its own
// namespace) meet through it; the viewer decodes video through the pipe. Then master1 is killed: the viewer goes on
// decoding, the slaves' heartbeats go to master2, and a new viewer joins through master2 and decodes too.
func TestMultiHostDeployment(t *testing.T) {
	chromium := requireBrowser(t)
	d := deploy(t)
	m1, m2 := client(d.hosts["master1"]), client(d.hosts["master2"])
	waitSlaves(t, m2, d.secret, time.Time{})

	lb := startBalancer(t, d.hosts["lb"], "198.51.100.11:3010", "198.51.100.12:3010")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	continueFile := filepath.Join(t.TempDir(), "continue")
	cmd, resultFile := scriptCommand(ctx, t, chromium, lb.URL+"/", "multihost.mjs",
		"PUBLISHER_CHROMIUM="+inNamespace(t, d.hosts["publisher"], chromium),
		"VIEWER_CHROMIUM="+inNamespace(t, d.hosts["viewer"], chromium), "CONTINUE_FILE="+continueFile)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	var out strings.Builder
	var pipesOnPrivateLAN []string
	var duringCall nodeCounts
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		line := lines.Text()
		out.WriteString(line + "\n")
		if line != "STOP_MASTER" {
			continue
		}
		// viewer1 decodes: the media went publisher -> producer slave -> pipe -> consumer slave -> viewer.
		pipesOnPrivateLAN = pipeSockets(t, d.hosts["slave-consumer"], "10.10.0.22")
		require.Empty(t, pipeSockets(t, d.hosts["slave-consumer"], "198.51.100.22"), "no pipe on the public address")
		duringCall = slaveStats(t, m2, d.secret, "http://10.10.0.22:3012")
		killedAt := time.Now()
		d.procs["master1"].stop(syscall.SIGKILL, time.Second)
		t.Logf("master1 killed")
		_, err := m1.Get("http://198.51.100.11:3010/healthz")
		require.Error(t, err, "master1 is gone")
		waitSlaves(t, m2, d.secret, killedAt)
		require.NoError(t, os.WriteFile(continueFile, nil, 0o600))
	}
	err = cmd.Wait()
	t.Logf("multihost.mjs output:\n%s%s", out.String(), stderr.String())
	require.NoError(t, err, "the browser test failed:\n%s", lastLines(stderr.String(), 20))
	var r multiHostResult
	readResult(t, "multihost.mjs", resultFile, &r)
	require.True(t, r.OK, r.Error)

	var b strings.Builder
	for _, v := range r.Viewers {
		fmt.Fprintf(&b, "browser multihost: %s consume->first_decoded_frame_ms=%s frames=%d\n", v.Name, ms(v.FirstFrameMs), v.FramesDecoded)
	}
	fmt.Fprintf(&b, "browser multihost: master1 killed, viewer1 frames %d->%d in %d ms; requests per master %v; pipe sockets %v\n",
		r.AfterStop.FramesBefore, r.AfterStop.FramesAfter, r.AfterStop.Ms, lb.tried(), pipesOnPrivateLAN)
	fmt.Print(b.String())
	require.NoError(t, os.WriteFile(filepath.Join(artifactsDir(t), "first-frame-multihost.txt"), []byte(b.String()), 0o600))

	require.Len(t, r.Viewers, 2)
	for _, v := range r.Viewers {
		require.NotNil(t, v.FirstFrameMs, v.Name)
		require.GreaterOrEqual(t, v.FramesDecoded, 30, v.Name)
	}
	require.GreaterOrEqual(t, r.AfterStop.FramesAfter, r.AfterStop.FramesBefore+30, "the call went on without master1")
	require.NotEmpty(t, pipesOnPrivateLAN, "the consumer slave's pipe is bound on its private address")
	require.Positive(t, lb.tried()["198.51.100.11:3010"], "master1 served requests before it was killed")
	require.GreaterOrEqual(t, duringCall.PipeTransports, 1, "the viewer's media came through the pipe: %+v", duringCall)
	require.GreaterOrEqual(t, duringCall.Consumers, 1, "the viewer consumed on the consumer slave: %+v", duringCall)
}

// waitSlaves waits until master2 (through c) lists both slaves alive with a heartbeat after since.
func waitSlaves(t *testing.T, c *http.Client, secret string, since time.Time) {
	t.Helper()
	var last string
	require.Eventually(t, func() bool {
		var slaves []httpapi.SlaveView
		if err := getJSON(c, "http://10.10.0.12:3010/slaves", secret, &slaves); err != nil {
			last = err.Error()
			return false
		}
		alive := 0
		for _, s := range slaves {
			if s.Status == "alive" && s.LastSeenAt.After(since) {
				alive++
			}
		}
		last = fmt.Sprintf("%+v", slaves)
		return alive == 2
	}, 30*time.Second, 100*time.Millisecond, "the slaves never reported to master2: %s", &last)
}

// nodeCounts are the counts of a slave's GET /internal/v1/stats this test checks.
type nodeCounts struct {
	PipeTransports int `json:"pipeTransports"`
	Consumers      int `json:"consumers"`
}

// slaveStats reads a slave's GET /internal/v1/stats from a host of the private LAN.
func slaveStats(t *testing.T, c *http.Client, secret, slaveURL string) nodeCounts {
	t.Helper()
	var s nodeCounts
	require.NoError(t, getJSON(c, slaveURL+"/internal/v1/stats", secret, &s))
	return s
}

func getJSON(c *http.Client, url, secret string, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// pipeSockets lists the UDP sockets bound on addr in ns within the example's pipe port range (41000-41999).
func pipeSockets(t *testing.T, ns *netns.Namespace, addr string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := ns.Command(ctx, "ss", "-Hnua", "src", addr).CombinedOutput()
	require.NoError(t, err, "ss: %s", out)
	var socks []string
	for _, f := range strings.Fields(string(out)) {
		if strings.HasPrefix(f, addr+":41") && len(f) == len(addr)+6 {
			socks = append(socks, f)
		}
	}
	return socks
}

// balancer is the example's load balancer: TLS for browsers, the demo app, /api proxied to the masters.
type balancer struct {
	URL string
	fo  *failover
}

func (b *balancer) tried() map[string]int {
	b.fo.mu.Lock()
	defer b.fo.mu.Unlock()
	out := map[string]int{}
	for k, v := range b.fo.tried {
		out[k] = v
	}
	return out
}

// startBalancer serves the demo over HTTPS on the lb host (198.51.100.10:443) and proxies its /api to masters.
func startBalancer(t *testing.T, lb *netns.Namespace, masters ...string) *balancer {
	t.Helper()
	dist, err := fs.Sub(rooms.Dist, "dist")
	require.NoError(t, err)
	fo := &failover{masters: masters, tried: map[string]int{},
		rt: &http.Transport{DialContext: lb.DialContext, ResponseHeaderTimeout: 0}}
	handler, err := httpapi.NewDemoHandlerVia(dist, "http://masters", fo)
	require.NoError(t, err)
	ln, err := lb.Listen("tcp", "198.51.100.10:443")
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(handler)
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the browsers refuse the test certificate once, then accept it
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return &balancer{URL: "https://198.51.100.10", fo: fo}
}
