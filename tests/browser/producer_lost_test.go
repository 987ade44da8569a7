package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sfuclient "github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/tests/testenv"
)

// producerLostResult is what producer_lost.mjs measured (its RESULT_FILE).
type producerLostResult struct {
	OK            bool   `json:"ok"`
	Error         string `json:"error"`
	OldVideo      string `json:"oldVideo"`
	NewVideo      string `json:"newVideo"`
	RepublishedMs int    `json:"republishedMs"`
	ViewerFrameMs int    `json:"viewerFrameMs"`
}

// TestBrowserDemoRepublishesAfterProducerSlaveLoss: the room's router is on a producer slave process; a demo page
// publishes camera and microphone into it and another watches. The process is SIGKILLed: the room survives, the
// publishing page hears producer_slave_lost and publishes again on its own, and the viewing page, without joining
// again, shows the new camera.
func TestBrowserDemoRepublishesAfterProducerSlaveLoss(t *testing.T) {
	chromium := requireBrowser(t)
	c := startCluster(t)
	victim := startProducerProcess(t, c)
	roomID := roomOnSlave(t, c, victim.url)
	var r producerLostResult
	runScript(t, chromium, c, "producer_lost.mjs", &r, "ROOM_ID="+roomID, "VICTIM_PID="+strconv.Itoa(victim.cmd.Process.Pid))
	require.True(t, r.OK, r.Error)
	t.Logf("re-published %d ms after the kill, viewer's first new frame %d ms after the kill", r.RepublishedMs, r.ViewerFrameMs)
	require.NotEqual(t, r.OldVideo, r.NewVideo)
}

type producerProcess struct {
	cmd *exec.Cmd
	url string
}

// startProducerProcess runs cmd/slave as a producer slave process of the cluster and waits until it is listed.
func startProducerProcess(t *testing.T, c *testCluster) *producerProcess {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "slave")
	out, err := exec.Command("go", "build", "-o", bin, "../../cmd/slave").CombinedOutput()
	require.NoError(t, err, "go build cmd/slave: %s", out)
	port := testenv.FreePort(t)
	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "SLAVE_ROLE=producer", fmt.Sprintf("PORT=%d", port), "LISTEN_HOST=127.0.0.1",
		"MASTER_URL="+c.MasterURL, "CLUSTER_SECRET="+c.secret, "HEARTBEAT_INTERVAL=500ms", "LOG_LEVEL=error",
		"WEBRTC_LISTEN_IPS=127.0.0.1", "RTC_PORT=0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
		}
	})
	p := &producerProcess{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	require.Eventually(t, func() bool { _, ok := slotsOf(t, c)[p.url]; return ok }, 20*time.Second, 50*time.Millisecond)
	return p
}

// slotsOf maps each alive slave's API URL to its reserved transport slots.
func slotsOf(t *testing.T, c *testCluster) map[string]int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.MasterURL+"/slaves", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+c.secret)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var slaves []struct {
		APIURL         string `json:"apiUrl"`
		Status         string `json:"status"`
		TransportCount int    `json:"transportCount"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&slaves))
	out := map[string]int{}
	for _, s := range slaves {
		if s.Status == "alive" {
			out[s.APIURL] = s.TransportCount
		}
	}
	return out
}

// roomOnSlave creates rooms until one's router is on the slave at apiURL (a producer peer in it takes a slot there).
func roomOnSlave(t *testing.T, c *testCluster, apiURL string) string {
	t.Helper()
	api, err := sfuclient.NewAPI(c.MasterURL)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for range 3 {
		before := slotsOf(t, c)[apiURL]
		room, err := api.CreateRoom(ctx)
		require.NoError(t, err)
		_, err = api.CreateProducerPeer(ctx, room.ID, "probe")
		require.NoError(t, err)
		if slotsOf(t, c)[apiURL] > before {
			return room.ID
		}
	}
	t.Fatal("no room landed on the producer slave process")
	return ""
}
