package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func requireAPIError(t *testing.T, err error, status int, code string) {
	t.Helper()
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, status, apiErr.Status, apiErr.Error())
	require.Equal(t, code, apiErr.Code, apiErr.Error())
}

// TestDataChannelBadInput: every refusal is the right status and code, and leaves nothing behind; a message
// over maxMessageSize is dropped and counted while the association carries on.
func TestDataChannelBadInput(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	producerSlave := c.slaves[0]
	ctx := ctxT(t, 2*time.Minute)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	stream := func(id int) domain.SctpStreamParameters { return domain.SctpStreamParameters{StreamID: id} }

	// A publisher whose client ignores the server's maxMessageSize (it believes 1 MiB), to send an oversized one.
	dev, err := client.NewDevice(room.RtpCapabilities, client.LoopbackOnly())
	require.NoError(t, err)
	info, err := c.API.CreateProducerPeerWithSctp(ctx, room.ID, "alice", dev.SctpCapabilities())
	require.NoError(t, err)
	require.Equal(t, &domain.SctpParameters{Port: 5000, OS: 1024, MIS: 1024, MaxMessageSize: 262144,
		MaxSendMessageSize: 262144, MaxReceiveMessageSize: 262144}, info.SctpParameters)
	info.SctpParameters.MaxMessageSize = 1 << 20
	st, err := dev.NewSendTransport(info, func(ctx context.Context, d domain.DtlsParameters) error {
		return c.API.ConnectProducerPeer(ctx, info.ID, d)
	})
	require.NoError(t, err)
	defer st.Close()
	dp, err := st.ProduceData(ctx, client.DataOptions{Label: "chat"}, func(ctx context.Context, p domain.SctpStreamParameters, label, protocol string, _ json.RawMessage) (string, error) {
		return c.API.ProduceData(ctx, info.ID, p, label, protocol, nil)
	})
	require.NoError(t, err)

	plain, err := c.API.CreateProducerPeer(ctx, room.ID, "bob")
	require.NoError(t, err)
	require.Nil(t, plain.SctpParameters, "no sctpCapabilities, no sctpParameters")

	t.Run("produce_data", func(t *testing.T) {
		_, err := c.API.ProduceData(ctx, plain.ID, stream(0), "chat", "", nil)
		requireAPIError(t, err, http.StatusBadRequest, "sctp_not_enabled")
		_, err = c.API.ProduceData(ctx, info.ID, stream(0), "again", "", nil)
		requireAPIError(t, err, http.StatusBadRequest, "invalid_input") // stream 0 is alice's chat
		_, err = c.API.ProduceData(ctx, info.ID, stream(1024), "chat", "", nil)
		requireAPIError(t, err, http.StatusBadRequest, "invalid_input") // ≥ MIS
		_, err = c.API.ProduceData(ctx, info.ID, stream(70000), "chat", "", nil)
		requireAPIError(t, err, http.StatusBadRequest, "invalid_input")
		_, err = c.API.ProduceData(ctx, info.ID, stream(2), strings.Repeat("x", 1025), "", nil)
		requireAPIError(t, err, http.StatusBadRequest, "invalid_input")
		_, err = c.API.ProduceData(ctx, info.ID, stream(2), "chat", strings.Repeat("x", 1025), nil)
		requireAPIError(t, err, http.StatusBadRequest, "invalid_input")
		life, rexmit := 100, 2
		_, err = c.API.ProduceData(ctx, info.ID, domain.SctpStreamParameters{StreamID: 2, MaxPacketLifeTime: &life, MaxRetransmits: &rexmit}, "chat", "", nil)
		requireAPIError(t, err, http.StatusBadRequest, "invalid_input")
		_, err = c.API.ProduceData(ctx, "no-such-peer", stream(0), "chat", "", nil)
		requireAPIError(t, err, http.StatusNotFound, "peer_not_found")
		list, err := c.API.ListDataProducers(ctx, room.ID)
		require.NoError(t, err)
		require.Len(t, list, 1, "no refusal left a row")
		require.Equal(t, 1, producerSlave.stats(t).DataProducers, "nor a data producer on the slave")
	})

	router, err := c.API.CreateConsumerRouter(ctx, room.ID, "carol")
	require.NoError(t, err)
	noSctp, err := c.API.CreateConsumerPeer(ctx, router.ID, "carol")
	require.NoError(t, err)
	viewer, err := client.SubscribeData(ctx, c.API, room.ID, "dave", []string{dp.ID}, client.LoopbackOnly())
	require.NoError(t, err)
	defer viewer.Close()
	inbox := watch(viewer.Consumers[0].Channel)

	t.Run("consume_data", func(t *testing.T) {
		_, err := c.API.ConsumeData(ctx, viewer.PeerID, "no-such-data-producer")
		requireAPIError(t, err, http.StatusNotFound, "data_producer_not_found")
		_, err = c.API.ConsumeData(ctx, noSctp.ID, dp.ID)
		requireAPIError(t, err, http.StatusBadRequest, "sctp_not_enabled")
		_, err = c.API.ConsumeData(ctx, info.ID, dp.ID)
		requireAPIError(t, err, http.StatusBadRequest, "wrong_peer_kind")
		require.Equal(t, 1, c.storeCounts(t).DataConsumers)
	})

	t.Run("a message over maxMessageSize is dropped and counted, the next one arrives", func(t *testing.T) {
		pubIn := watch(dp.Channel)
		require.Eventually(t, func() bool { return isOpen(pubIn.open) && isOpen(inbox.open) }, 30*time.Second, 20*time.Millisecond)
		big := bytes.Repeat([]byte{7}, 300<<10)
		require.NoError(t, dp.Channel.Send(big))
		small := make([]byte, 16)
		small[7] = 1
		require.NoError(t, dp.Channel.Send(small))
		require.Eventually(t, func() bool { return inbox.count() == 1 }, 20*time.Second, 20*time.Millisecond)
		inbox.mu.Lock()
		require.Equal(t, []uint64{1}, inbox.seqs)
		inbox.mu.Unlock()
		st := producerSlave.stats(t)
		require.EqualValues(t, 1, st.DataMessagesDropped)
		require.EqualValues(t, 1, st.DataMessagesIn)
	})
}
