// Package browser runs the real-browser tests from `go test`: the dev cluster (master, producer slave, consumer
// slave; PostgreSQL when TEST_DATABASE_URL is set) in this process, and run.mjs driving headless Chromium with the
// unchanged mediasoup-client demo app (examples/rooms). Without Chromium or Node they skip, unless REQUIRE_BROWSER=1
// (CI). While the browser runs, the test samples the master's store and both slaves, so it can tell whether the
// media went through a pipe.
package browser

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBrowserPublishAndConsumeOnOneRouter guards the engine (issue 4): Chromium publishes its fake camera and
// microphone to the producer slave, and another page consumes them back from the same router
// (POST /rooms/:id/consumer_transports, the v4 alias): ≥ 30 decoded frames of real size, and no pipe anywhere,
// no consumer and not one packet on the consumer slave.
func TestBrowserPublishAndConsumeOnOneRouter(t *testing.T) {
	chromium := requireBrowser(t)
	c := startCluster(t)
	stop := c.watch()
	r := runBrowser(t, chromium, c, "CONSUME_ON=room", "VIEWERS=1", "PAUSE_CHECK=0", "REPORT_RATE=0", "SCREENSHOT=one-router.png")
	p := stop()
	report(t, "one-router", r)
	reportJoinTimeline(t, c, "one-router")

	require.Equal(t, "room", r.ConsumeOn)
	require.Len(t, r.Viewers, 1)
	v := r.Viewers[0]
	require.GreaterOrEqual(t, v.FramesDecoded, 30)
	require.Positive(t, v.FrameWidth)
	require.NotNil(t, v.FirstFrameMs, "no first decoded frame measured")

	require.Empty(t, p.Errors, "sampling the cluster")
	require.Positive(t, p.Samples)
	require.Zero(t, p.Pipes, "the master stored a pipe: %+v", p)
	require.Zero(t, p.ProducerPipes+p.ConsumerPipes, "a slave made a pipe transport: %+v", p)
	require.Zero(t, p.ConsumerConsumers, "a consumer was made on the consumer slave: %+v", p)
	require.GreaterOrEqual(t, p.ProducerConsumers, 2, "the viewer's audio and video consumers live on the producer slave: %+v", p)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cs, err := c.slaveStats(ctx, c.consumerURL)
	require.NoError(t, err)
	require.Zero(t, cs.PacketsIn+cs.PacketsOut, "media went through the consumer slave: %+v", cs)
	ps, err := c.slaveStats(ctx, c.producerURL)
	require.NoError(t, err)
	require.Positive(t, ps.PacketsOut, "the producer slave sent nothing to its consumers: %+v", ps)
}

// TestBrowserPublishAndViewThroughThePipe is the demo's end-to-end test (issue 7): one page publishes, two pages
// consume on the consumer slave through the pipe. They learn of the microphone from the producer list their room
// events stream fetches when it opens and of the camera, published after they joined, from producer_added; each
// decodes ≥ 30 frames of real size, receives ≥ 50 audio packets and shows a moving, non-black picture; pausing the
// publisher's video stops their frames and resuming brings them back. The media must have crossed a pipe.
func TestBrowserPublishAndViewThroughThePipe(t *testing.T) {
	chromium := requireBrowser(t)
	c := startCluster(t)
	stop := c.watch()
	r := runBrowser(t, chromium, c)
	p := stop()
	report(t, "pipe", r)
	reportJoinTimeline(t, c, "pipe")

	require.Len(t, r.Viewers, 2)
	for _, v := range r.Viewers {
		require.GreaterOrEqual(t, v.FramesDecoded, 30, v.Name)
		require.Positive(t, v.FrameWidth, v.Name)
		require.GreaterOrEqual(t, v.AudioPacketsReceived, 50, v.Name)
		require.NotNil(t, v.FirstFrameMs, v.Name)
		require.Equal(t, map[string]string{"audio": "list", "video": "event"}, v.Via, v.Name)
	}
	require.NotNil(t, r.PauseResume, "pause/resume not checked")
	require.Len(t, r.PauseResume.Viewers, 2)

	requireThroughThePipe(t, c, p, 2)
}

// requireThroughThePipe checks that the viewers' media crossed a pipe: a pipe row on the master and a pipe transport
// on each slave while the browser ran, an audio and a video consumer per viewer on the consumer slave, and packets
// sent from there.
func requireThroughThePipe(t *testing.T, c *testCluster, p peaks, viewers int) {
	t.Helper()
	require.Empty(t, p.Errors, "sampling the cluster")
	require.GreaterOrEqual(t, p.Pipes, 1.0, "no pipe in the master's store: %+v", p)
	require.GreaterOrEqual(t, p.ProducerPipes, 1, "no pipe transport on the producer slave: %+v", p)
	require.GreaterOrEqual(t, p.ConsumerPipes, 1, "no pipe transport on the consumer slave: %+v", p)
	require.GreaterOrEqual(t, p.ConsumerConsumers, 2*viewers, "%d viewers × audio + video on the consumer slave: %+v", viewers, p)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cs, err := c.slaveStats(ctx, c.consumerURL)
	require.NoError(t, err)
	require.Positive(t, cs.PacketsOut, "the consumer slave sent nothing to the viewers: %+v", cs)
}
