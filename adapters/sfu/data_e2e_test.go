package sfu

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/leakcheck"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testpeer"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/sctpassoc"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// dataPeer is a client of a transport with SCTP: a test peer whose DTLS carries an association of its own.
type dataPeer struct {
	*testPeer
	assoc *sctpassoc.Association
}

// connectDataPeer creates a transport with SCTP and connects a client to it, SCTP up on both ends.
func connectDataPeer(t *testing.T, n *Node, routerID, transportID string) *dataPeer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	info, err := n.CreateWebRtcTransport(ctx, routerID, transportID)
	require.NoError(t, err)
	params, err := n.EnableSctp(ctx, transportID, domain.DefaultSctpCapabilities())
	require.NoError(t, err)
	require.Equal(t, domain.NewSctpParameters(domain.DefaultMaxMessageSize), params)
	again, err := n.EnableSctp(ctx, transportID, domain.DefaultSctpCapabilities())
	require.NoError(t, err)
	require.Equal(t, params, again, "enabling twice answers the same")
	p := &dataPeer{testPeer: newTestPeer(t), assoc: sctpassoc.New(sctpassoc.Config{})}
	cand := info.IceCandidates[0]
	p.SetServer(netip.AddrPortFrom(netip.MustParseAddr(cand.IP), uint16(cand.Port))) //nolint:gosec // a port
	require.NoError(t, n.ConnectTransport(ctx, transportID, p.dtlsParameters()))
	require.NotNil(t, p.BindRetrying(info.IceParameters.UsernameFragment, info.IceParameters.Password))
	require.NoError(t, p.Handshake(ctx, testpeer.Handshake{AsClient: true, Server: testpeer.Fingerprint(info.DtlsParameters.Fingerprints[0]),
		AppData: func(conn net.Conn) { _ = p.assoc.Run(conn) }}))
	require.NoError(t, p.assoc.WaitUp(ctx))
	require.Eventually(t, func() bool { // the node's end too: what it sends before is dropped, as mediasoup's
		n.mu.Lock()
		defer n.mu.Unlock()
		e := n.data.ends[transportID]
		return e != nil && e.assoc.Up()
	}, waitLong, 5*time.Millisecond)
	return p
}

func (p *dataPeer) close() {
	_ = p.assoc.Close()
	p.Close()
}

type received struct {
	mu   sync.Mutex
	msgs []string
}

func (r *received) add(m []byte, _ bool) {
	r.mu.Lock()
	r.msgs = append(r.msgs, string(m))
	r.mu.Unlock()
}

func (r *received) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.msgs...)
}

// TestDataChannelsThroughPipeAndCloseCascade: a data producer on node A reaches a data consumer on node B over
// SCTP on the pipe, in order; refusals are the domain's; closing the publisher's transport closes the copy on B
// and resets the viewer's stream; and once everything is closed no association or goroutine is left.
func TestDataChannelsThroughPipeAndCloseCascade(t *testing.T) {
	ctx := context.Background()
	nodeA, _ := newTestNode(t)
	nodeB, _ := newTestNode(t)
	_, err := nodeA.CreateRouter(ctx, "ra")
	require.NoError(t, err)
	_, err = nodeB.CreateRouter(ctx, "rb")
	require.NoError(t, err)
	ignore := goleak.IgnoreCurrent() // the nodes

	pub := connectDataPeer(t, nodeA, "ra", "tp")
	require.NoError(t, nodeA.ProduceData(ctx, application.DataProduceRequest{TransportID: "tp", DataProducerID: "dp",
		SctpStreamParameters: domain.SctpStreamParameters{StreamID: 1}, Label: "chat", Protocol: "text"}))
	out, err := pub.assoc.Open(1, sctpassoc.StreamParams{Ordered: true}, nil, nil)
	require.NoError(t, err)

	t.Run("refusals", func(t *testing.T) {
		_, err := nodeA.CreateWebRtcTransport(ctx, "ra", "plain")
		require.NoError(t, err)
		defer func() { require.NoError(t, nodeA.CloseTransport(ctx, "plain")) }()
		err = nodeA.ProduceData(ctx, application.DataProduceRequest{TransportID: "plain", DataProducerID: "x", SctpStreamParameters: domain.SctpStreamParameters{StreamID: 0}})
		require.ErrorIs(t, err, domain.ErrSctpNotEnabled)
		err = nodeA.ProduceData(ctx, application.DataProduceRequest{TransportID: "tp", DataProducerID: "x", SctpStreamParameters: domain.SctpStreamParameters{StreamID: 1}})
		require.ErrorIs(t, err, domain.ErrInvalidInput, "stream 1 is in use")
		err = nodeA.ProduceData(ctx, application.DataProduceRequest{TransportID: "tp", DataProducerID: "x", SctpStreamParameters: domain.SctpStreamParameters{StreamID: 1024}})
		require.ErrorIs(t, err, domain.ErrInvalidInput, "stream 1024 is out of range")
		err = nodeA.ProduceData(ctx, application.DataProduceRequest{TransportID: "tp", DataProducerID: "dp", SctpStreamParameters: domain.SctpStreamParameters{StreamID: 2}})
		require.ErrorIs(t, err, domain.ErrConflict)
		_, err = nodeA.ConsumeData(ctx, application.DataConsumeRequest{TransportID: "plain", DataConsumerID: "c", DataProducerID: "dp"})
		require.ErrorIs(t, err, domain.ErrSctpNotEnabled)
		_, err = nodeA.ConsumeData(ctx, application.DataConsumeRequest{TransportID: "tp", DataConsumerID: "c", DataProducerID: "nope"})
		require.ErrorIs(t, err, domain.ErrDataProducerNotFound)
		err = nodeA.ProduceData(ctx, application.DataProduceRequest{TransportID: "nope", DataProducerID: "x", SctpStreamParameters: domain.SctpStreamParameters{StreamID: 3}})
		require.ErrorIs(t, err, domain.ErrTransportNotFound)
	})

	pipeA, pipeB := pipePair(t, nodeA, "ra", nodeB, "rb", true)
	desc, err := nodeA.PipeConsumeData(ctx, pipeA, "dp")
	require.NoError(t, err)
	require.Equal(t, "dp", desc.DataProducerID)
	require.Equal(t, "chat", desc.Label)
	again, err := nodeA.PipeConsumeData(ctx, pipeA, "dp")
	require.NoError(t, err)
	require.Equal(t, desc, again, "pipe-consuming twice answers the same stream")
	require.NoError(t, nodeB.PipeProduceData(ctx, pipeB, desc))
	require.NoError(t, nodeB.PipeProduceData(ctx, pipeB, desc), "pipe-producing twice is a no-op")

	sub := connectDataPeer(t, nodeB, "rb", "ts")
	info, err := nodeB.ConsumeData(ctx, application.DataConsumeRequest{TransportID: "ts", DataConsumerID: "dc", DataProducerID: "dp"})
	require.NoError(t, err)
	require.Equal(t, "chat", info.Label)
	require.True(t, *info.SctpStreamParameters.Ordered)
	var got received
	reset := make(chan struct{})
	_, err = sub.assoc.Open(uint16(info.SctpStreamParameters.StreamID), sctpassoc.StreamParams{Ordered: true}, got.add, func() { close(reset) }) //nolint:gosec // < 1024
	require.NoError(t, err)

	var want []string
	for i := range 200 {
		m := string(rune('a'+i%26)) + time.Now().Format(time.RFC3339Nano)
		want = append(want, m)
		require.NoError(t, out.Send([]byte(m), true))
	}
	require.Eventually(t, func() bool { return len(got.all()) == len(want) }, waitLong, 5*time.Millisecond)
	require.Equal(t, want, got.all(), "every message, in order")
	stA, err := nodeA.Stats(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 200, stA.DataMessagesIn)
	require.EqualValues(t, 200, stA.DataMessagesOut, "sent once over the pipe")

	// The publisher's transport closes: its data producer, the pipe copy on B and the viewer's stream follow.
	require.NoError(t, nodeA.CloseTransport(ctx, "tp"))
	select {
	case <-reset:
	case <-time.After(waitLong):
		t.Fatal("the viewer's stream was not reset")
	}
	require.Eventually(t, func() bool {
		st, err := nodeB.Stats(ctx)
		return err == nil && st.DataProducers == 0 && st.DataConsumers == 0
	}, waitLong, 5*time.Millisecond)

	require.NoError(t, nodeB.CloseTransport(ctx, "ts"))
	require.NoError(t, nodeA.ClosePipeTransport(ctx, pipeA))
	require.NoError(t, nodeB.ClosePipeTransport(ctx, pipeB))
	pub.close()
	sub.close()
	leakcheck.VerifyNone(t, ignore)
	require.Empty(t, nodeA.data.ends)
	require.Empty(t, nodeB.data.ends)
}
