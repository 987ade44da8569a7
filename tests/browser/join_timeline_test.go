package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// reportJoinTimeline prints each slave's join timeline (application.JoinSteps: mean and count per step, over
// the run's audio and video consumers and keyframe requests) after the browser's figures, and appends it to
// first-frame-<name>.txt. Every step with a count must have a mean within its histogram's range.
func reportJoinTimeline(t *testing.T, c *testCluster, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var b strings.Builder
	for _, s := range []struct{ role, url string }{{"producer", c.producerURL}, {"consumer", c.consumerURL}} {
		st, err := c.slaveStats(ctx, s.url)
		require.NoError(t, err)
		require.Len(t, st.JoinSteps, len(application.JoinSteps))
		fmt.Fprintf(&b, "browser %s: join timeline on the %s slave (mean ms, count):", name, s.role)
		for _, h := range st.JoinSteps {
			if h.Count == 0 {
				continue
			}
			mean := h.SumSeconds / float64(h.Count) * 1000
			require.GreaterOrEqual(t, mean, 0.0, h.Step)
			fmt.Fprintf(&b, " %s=%.0f/%d", h.Step, mean, h.Count)
		}
		fmt.Fprintf(&b, " keyframe_requests_joined=%d held=%d\n", st.KeyframeRequestsJoined, st.KeyframeRequestsHeld)
	}
	fmt.Print(b.String())
	f, err := os.OpenFile(filepath.Join(artifactsDir(t), "first-frame-"+name+".txt"), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.WriteString(b.String())
	require.NoError(t, err)
}
