package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/tests/netns"
)

// tcpResult is what tcp.mjs measured (its RESULT_FILE).
type tcpResult struct {
	OK            bool     `json:"ok"`
	Error         string   `json:"error"`
	FirstFrameMs  *float64 `json:"firstFrameMs"`
	FramesDecoded int      `json:"framesDecoded"`
	FrameWidth    int      `json:"frameWidth"`
	ViewerPath    struct {
		Recv string `json:"recv"`
	} `json:"viewerPath"`
	PublisherPath struct {
		Send string `json:"send"`
	} `json:"publisherPath"`
	PathLine string `json:"pathLine"`
	Restart  struct {
		FramesBefore int    `json:"framesBefore"`
		FramesAfter  int    `json:"framesAfter"`
		Ms           int    `json:"ms"`
		RecvState    string `json:"recvState"`
	} `json:"restart"`
}

// TestBrowserOverTCPWithUDPBlocked is issue 17's "Must show": Chromium publishes from a network namespace whose UDP
// is dropped (nft), and a viewer in another UDP-blocked namespace decodes >= 30 frames through the pipe; both
// transports' selected candidate pairs are TCP (getStats), and the slaves say so too. Then the viewer calls
// restartIce() mid-call with new parameters from POST /transports/:id/restart_ice and keeps decoding; the consumer
// slave reports the restart completed (a check with the new credentials succeeded).
func TestBrowserOverTCPWithUDPBlocked(t *testing.T) {
	chromium := requireBrowser(t)
	pubNS, viewNS := netns.New(t), netns.New(t)
	pubNS.DropUDP(t)
	viewNS.DropUDP(t)

	// The slaves' media and the demo listen on the host end of the publisher's veth: both namespaces reach it
	// through their default route (the viewer's by way of its own veth).
	hostIP := pubNS.HostIP.String()
	c := startClusterWith(t, func(base *bootstrap.Config, dc *bootstrap.DevClusterConfig) {
		base.ListenIPs = []bootstrap.ListenIP{{IP: hostIP}}
		dc.DemoAddr = net.JoinHostPort(hostIP, "0")
	})
	demo, err := url.Parse(c.DemoURL)
	require.NoError(t, err)
	demoURL := fmt.Sprintf("https://%s/", net.JoinHostPort(hostIP, demo.Port()))

	stop := c.watch()
	resultFile := filepath.Join(t.TempDir(), "tcp.json")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "run.sh", "tcp.mjs") // npm ci on first use
	cmd.Env = append(os.Environ(), "DEMO_URL="+demoURL, "ARTIFACTS_DIR="+artifactsDir(t), "RESULT_FILE="+resultFile,
		"PUBLISHER_CHROMIUM="+inNamespace(t, pubNS, chromium), "VIEWER_CHROMIUM="+inNamespace(t, viewNS, chromium))
	out, err := cmd.CombinedOutput()
	p := stop()
	t.Logf("tcp.mjs output:\n%s", out)
	require.NoError(t, err, "the browser test failed:\n%s", lastLines(string(out), 20))
	raw, err := os.ReadFile(resultFile)
	require.NoError(t, err, "tcp.mjs wrote no result")
	var r tcpResult
	require.NoError(t, json.Unmarshal(raw, &r))
	require.True(t, r.OK, r.Error)

	line := fmt.Sprintf("browser tcp (UDP dropped in both namespaces): consume->first_decoded_frame_ms=%s frames=%d "+
		"viewer_pair=%s publisher_pair=%s demo_line=%q ice_restart frames %d->%d restart->30_more_frames_ms=%d\n",
		ms(r.FirstFrameMs), r.FramesDecoded, r.ViewerPath.Recv, r.PublisherPath.Send, r.PathLine,
		r.Restart.FramesBefore, r.Restart.FramesAfter, r.Restart.Ms)
	fmt.Print(line)
	require.NoError(t, os.WriteFile(filepath.Join(artifactsDir(t), "first-frame-tcp.txt"), []byte(line), 0o600))

	require.GreaterOrEqual(t, r.FramesDecoded, 30)
	require.Positive(t, r.FrameWidth)
	require.NotNil(t, r.FirstFrameMs)
	require.Equal(t, "tcp", r.ViewerPath.Recv, "the viewer's selected candidate pair")
	require.Equal(t, "tcp", r.PublisherPath.Send, "the publisher's selected candidate pair")
	require.Contains(t, r.PathLine, "receive tcp", "the demo shows the path in use")
	require.GreaterOrEqual(t, r.Restart.FramesAfter, r.Restart.FramesBefore+30)
	require.Equal(t, "connected", r.Restart.RecvState)

	require.Empty(t, p.Errors, "sampling the cluster")
	require.GreaterOrEqual(t, p.ProducerTCP, 1, "the publisher's transport over ICE-TCP on the producer slave: %+v", p)
	require.GreaterOrEqual(t, p.ConsumerTCP, 1, "the viewer's transport over ICE-TCP on the consumer slave: %+v", p)
	require.GreaterOrEqual(t, p.ConsumerPipes, 1, "through the pipe: %+v", p)
	require.Equal(t, uint64(1), p.ConsumerRestarts, "one ICE restart on the consumer slave: %+v", p)
	require.Equal(t, uint64(1), p.ConsumerRestarted, "and the slave took the viewer's checks with the new credentials: %+v", p)
	require.Positive(t, pubNS.UDPDropped(t)+viewNS.UDPDropped(t), "the browsers tried UDP, and it was dropped")
}

// inNamespace writes an executable that runs chromium inside ns, for Playwright's executablePath: Playwright
// talks to the browser over the inherited pipe, which `ip netns exec` keeps.
func inNamespace(t *testing.T, ns *netns.Namespace, chromium string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chromium-"+ns.Name)
	script := fmt.Sprintf("#!/bin/sh\nexec ip netns exec %s %s \"$@\"\n", ns.Name, chromium)
	require.NoError(t, os.WriteFile(path, []byte(script), 0o700)) //nolint:gosec // an executable, on purpose
	return path
}
