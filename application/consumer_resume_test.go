package application_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/application/apptest"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestResumeOfAConsumerGoneElsewhere: a master consumes on the peers and resumes the consumers it made without
// reading the store, so what another master did meanwhile reaches it only through the slave; the client still
// gets the store path's answers: another peer's consumer is not found, a closed peer is not found (to consume
// and to resume), a closed consumer is not found.
func TestResumeOfAConsumerGoneElsewhere(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, 10)
	other := application.NewPeers(w.d) // a second master's use cases on the same store and slaves
	roomID, _, producerID := w.publish(t, "alice")
	_, peerID, consumerID := w.subscribe(t, roomID, "bob", producerID)
	_, carolPeer, carolConsumer := w.subscribe(t, roomID, "carol", producerID)

	require.NoError(t, w.uc.consumerPeers.Resume(ctx, peerID, consumerID))
	require.NoError(t, w.uc.consumerPeers.Pause(ctx, peerID, consumerID))
	require.ErrorIs(t, w.uc.consumerPeers.Resume(ctx, carolPeer, consumerID), domain.ErrConsumerNotFound,
		"bob's consumer through carol's peer")

	require.NoError(t, other.Close(ctx, peerID))
	require.ErrorIs(t, w.uc.consumerPeers.Resume(ctx, peerID, consumerID), domain.ErrPeerNotFound,
		"the peer another master closed")
	_, err := w.uc.consumerPeers.Consume(ctx, application.ConsumeInput{PeerID: peerID, ProducerID: producerID,
		RtpCapabilities: apptest.FakeCapabilities()})
	require.ErrorIs(t, err, domain.ErrPeerNotFound, "consume on the peer another master closed")

	var slave domain.Slave
	for _, s := range w.consumers {
		if w.node(s).Consumers[carolConsumer] != "" {
			slave = s
		}
	}
	require.NotEmpty(t, slave.ID, "carol's consumer is on a consumer slave")
	require.NoError(t, w.node(slave).CloseConsumer(ctx, carolConsumer)) // its producer's slave ended it, say
	require.NoError(t, w.rooms.DeleteConsumer(ctx, carolConsumer))
	require.ErrorIs(t, w.uc.consumerPeers.Resume(ctx, carolPeer, carolConsumer), domain.ErrConsumerNotFound)
}
