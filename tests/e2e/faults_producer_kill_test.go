package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestFaultProducerSlaveKilledRoomSurvives: a publisher on a producer slave process, a viewer through the pipe on
// the consumer slave; the producer slave is SIGKILLed mid-call while another producer slave is alive. The room
// keeps answering, its event stream says producer_slave_lost with the producers that ended, the publisher
// publishes again into the same room (its router now on the survivor), and the viewer, on the same consumer
// router and peer, consumes the new producers and receives their RTP.
func TestFaultProducerSlaveKilledRoomSurvives(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 90*time.Second)
	victim := c.startSlaveProcess(t, domain.SlaveRoleProducer)
	call := c.startCall(ctx, t, true, true) // the room's router is on the victim, the only producer slave yet
	room, pub, bob := call.room, call.pub, call.sub
	survivor := c.startSlaveProcess(t, domain.SlaveRoleProducer)
	consumerSlave := c.slaves[0]
	require.Equal(t, 1, consumerSlave.stats(t).PipeTransports)
	events := roomEvents(ctx, t, c.MasterURL, room.ID)

	victim.kill()
	killed := time.Now()
	var lost []any
	deadline := time.After(20 * time.Second)
	for lost == nil {
		select {
		case ev := <-events:
			require.NotEqual(t, "room_deleted", ev["type"], "the room was deleted with its producer slave")
			if ev["type"] == "producer_slave_lost" {
				lost = ev["producerIds"].([]any)
			}
		case <-deadline:
			t.Fatal("no producer_slave_lost event")
		}
	}
	t.Logf("producer_slave_lost %s after the kill", time.Since(killed).Round(time.Millisecond))
	require.ElementsMatch(t, pub.ProducerIDs(), toStrings(lost), "the event names the producers that ended")
	_ = pub.Close()

	// The room id still answers, with no producer left, and its router is on the survivor.
	got, err := c.API.GetRoom(ctx, room.ID)
	require.NoError(t, err)
	require.Equal(t, room.ID, got.ID)
	rows, err := c.API.ListProducerPeers(ctx, room.ID)
	require.NoError(t, err)
	require.Empty(t, rows)
	require.Eventually(t, func() bool { return consumerSlave.stats(t).PipeTransports == 0 }, 5*time.Second,
		20*time.Millisecond, "the pipe from the dead producer slave was not closed on the consumer slave")

	// The publisher publishes again into the same room; bob, without joining again, consumes the new producers.
	pub2, err := client.Publish(ctx, c.API, room.ID, "alice", true, true, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub2.Close()
	var video *client.Consumer
	for _, id := range pub2.ProducerIDs() {
		cons, err := bob.Consume(ctx, id)
		require.NoError(t, err)
		if cons.Kind() == domain.MediaKindVideo {
			video = cons
		}
	}
	require.NotNil(t, video)
	require.NoError(t, video.WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Packets >= 20 }))
	t.Logf("bob receives the new video %s after the kill", time.Since(killed).Round(time.Millisecond))
	require.Equal(t, 1, consumerSlave.stats(t).PipeTransports, "one pipe, from the survivor")
	st, err := httpapi.NewSlaveClient(survivor.url(), httpapi.SlaveClientOptions{Secret: secret}).Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, st.Routers, "the room's router moved to the survivor")
	require.Positive(t, st.PacketsIn, "the new publisher sends into the survivor")
	counts := c.storeCounts(t)
	require.Equal(t, 1, counts.Rooms)
	require.Equal(t, 2, counts.Routers, "the room's router on the survivor and bob's consumer router")
	require.Equal(t, 2, counts.Peers, "alice's new peer and bob's")
}

func toStrings(in []any) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i], _ = v.(string)
	}
	return out
}
