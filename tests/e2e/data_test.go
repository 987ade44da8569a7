package e2e

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// dataInbox records what one data consumer received: sequence numbers in arrival order and one-way latencies
// (sender and receivers share this process's clock).
type dataInbox struct {
	mu        sync.Mutex
	seqs      []uint64
	latencies []time.Duration
	open      chan struct{}
	closed    chan struct{}
}

func watch(dc *webrtc.DataChannel) *dataInbox {
	in := &dataInbox{open: make(chan struct{}), closed: make(chan struct{})}
	var openOnce, closeOnce sync.Once
	dc.OnOpen(func() { openOnce.Do(func() { close(in.open) }) })
	if dc.ReadyState() == webrtc.DataChannelStateOpen {
		openOnce.Do(func() { close(in.open) })
	}
	dc.OnClose(func() { closeOnce.Do(func() { close(in.closed) }) })
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		if len(m.Data) < 16 {
			return
		}
		seq := binary.BigEndian.Uint64(m.Data)
		sent := time.Unix(0, int64(binary.BigEndian.Uint64(m.Data[8:]))) //nolint:gosec // our own timestamps
		in.mu.Lock()
		in.seqs = append(in.seqs, seq)
		in.latencies = append(in.latencies, time.Since(sent))
		in.mu.Unlock()
	})
	return in
}

func (in *dataInbox) count() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.seqs)
}

func isOpen(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	return sorted[min(len(sorted)-1, int(float64(len(sorted))*p))]
}

// TestDataChannelsThroughPipes: one ordered, reliable data producer on the producer slave; 50 data consumers (ten
// viewers with five each) on two consumer slaves. 1,000 messages reach every data consumer, none lost or
// reordered; the producer slave sends each message once per consumer slave; closing the publisher's peer closes
// every copy, data consumer and row.
func TestDataChannelsThroughPipes(t *testing.T) {
	// 50 data channels on ten pion clients keep this test's process busy: under -race on a loaded host a heartbeat
	// may wait longer than the harness's 3 s slave timeout, and a slave the master forgets drops its routers.
	c := newClusterWith(t, func(cfg *bootstrap.Config) { cfg.SlaveTimeout = 30 * time.Second }, domain.SlaveRoleProducer)
	for range 2 { // five viewers fill a consumer slave: the room's viewers spread over both
		c.addSlaveWith(domain.SlaveRoleConsumer, func(cfg *bootstrap.Config) { cfg.MaxTransports = 5 })
	}
	c.waitSlaves(3)
	producerSlave := c.slaves[0]
	ctx := ctxT(t, 3*time.Minute)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)

	pub, err := client.PublishData(ctx, c.API, room.ID, "alice", client.DataOptions{Label: "chat", Protocol: "seq"}, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub.Close()
	list, err := c.API.ListDataProducers(ctx, room.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, pub.Producer.ID, list[0].ID)
	require.Equal(t, "alice", list[0].UserID)
	require.Equal(t, "chat", list[0].Label)

	const viewers, perViewer, messages = 10, 5, 1000
	var inboxes []*dataInbox
	for v := range viewers {
		ids := slices.Repeat([]string{pub.Producer.ID}, perViewer)
		sub, err := client.SubscribeData(ctx, c.API, room.ID, fmt.Sprintf("viewer%d", v), ids, client.LoopbackOnly())
		require.NoError(t, err)
		defer sub.Close()
		for _, dc := range sub.Consumers {
			inboxes = append(inboxes, watch(dc.Channel))
		}
	}
	require.Len(t, inboxes, viewers*perViewer)
	for _, s := range c.slaves[1:] {
		require.Positive(t, s.stats(t).DataConsumers, "the viewers are spread over both consumer slaves")
	}
	pubOpen := watch(pub.Producer.Channel)
	require.Eventually(t, func() bool {
		if !isOpen(pubOpen.open) {
			return false
		}
		for _, in := range inboxes {
			if !isOpen(in.open) {
				return false
			}
		}
		return true
	}, 30*time.Second, 20*time.Millisecond, "every data channel opens")

	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	msg := make([]byte, 64)
	for i := range messages {
		<-tick.C
		binary.BigEndian.PutUint64(msg, uint64(i))                         //nolint:gosec // i ≥ 0
		binary.BigEndian.PutUint64(msg[8:], uint64(time.Now().UnixNano())) //nolint:gosec // after 1970
		require.NoError(t, pub.Producer.Channel.Send(msg))
	}
	delivered := func() bool {
		for _, in := range inboxes {
			if in.count() < messages {
				return false
			}
		}
		return true
	}
	if !assert.Eventually(t, delivered, 60*time.Second, 20*time.Millisecond, "every data consumer gets every message") {
		for i, in := range inboxes {
			t.Logf("data consumer %d: %d messages", i, in.count())
		}
		for _, s := range c.slaves {
			st := s.stats(t)
			t.Logf("slave %s: transports %d dataProducers %d dataConsumers %d in %d out %d dropped %d", s.role, st.Transports, st.DataProducers, st.DataConsumers, st.DataMessagesIn, st.DataMessagesOut, st.DataMessagesDropped)
		}
		t.FailNow()
	}

	var all []time.Duration
	for i, in := range inboxes {
		in.mu.Lock()
		require.Len(t, in.seqs, messages, "data consumer %d: no duplicates", i)
		for j, s := range in.seqs {
			require.EqualValues(t, j, s, "data consumer %d: message %d out of order", i, j)
		}
		all = append(all, in.latencies...)
		in.mu.Unlock()
	}
	slices.Sort(all)
	t.Logf("data channel latency over %d deliveries (publisher → producer slave → pipe → consumer slave → viewer): p50 %s, p99 %s, max %s",
		len(all), percentile(all, 0.5), percentile(all, 0.99), all[len(all)-1])

	st := producerSlave.stats(t)
	require.EqualValues(t, messages, st.DataMessagesIn, "the producer slave received each message once")
	require.EqualValues(t, 2*messages, st.DataMessagesOut, "and sent it once per consumer slave")
	require.Zero(t, st.DataMessagesDropped)
	for _, s := range c.slaves[1:] {
		cs := s.stats(t)
		require.EqualValues(t, messages, cs.DataMessagesIn, "each consumer slave received each message once")
		require.EqualValues(t, messages*cs.DataConsumers, cs.DataMessagesOut)
	}

	// The close cascade: the publisher leaves; its data producer, every copy and data consumer, and their rows go.
	require.NoError(t, c.API.Logout(ctx, "alice", room.ID))
	for _, s := range c.slaves {
		require.Eventually(t, func() bool {
			st := s.stats(t)
			return st.DataProducers == 0 && st.DataConsumers == 0
		}, 10*time.Second, 20*time.Millisecond, "slave %s keeps data channels", s.role)
	}
	for i, in := range inboxes {
		require.Eventually(t, func() bool { return isOpen(in.closed) }, 10*time.Second, 20*time.Millisecond,
			"viewer data channel %d is closed by the stream reset", i)
	}
	counts := c.storeCounts(t)
	require.Zero(t, counts.DataProducers)
	require.Zero(t, counts.DataConsumers)
	list, err = c.API.ListDataProducers(ctx, room.ID)
	require.NoError(t, err)
	require.Empty(t, list)
}
