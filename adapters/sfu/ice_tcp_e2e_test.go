package sfu

import (
	"context"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/client"
)

// TestIceTCPWithPionClient: a publisher over UDP and a viewer whose ICE agent may only use TCP (pion's active TCP
// candidates against the node's passive one): the viewer's transport selects TCP and receives audio and video.
func TestIceTCPWithPionClient(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := newPionRig(t, ctx)
	n := r.n

	_, sendInfo := r.publishSynthetic(t, ctx, "tp", false)
	require.Len(t, sendInfo.IceCandidates, 2)
	udp, tcp := sendInfo.IceCandidates[0], sendInfo.IceCandidates[1]
	require.Equal(t, []string{"udp", "tcp"}, []string{udp.Protocol, tcp.Protocol})
	require.Equal(t, "passive", tcp.TCPType)
	require.Greater(t, udp.Priority, tcp.Priority, "UDP preferred")
	require.NoError(t, sendInfo.Validate())

	tcpDev, err := client.NewDevice(r.caps, client.LoopbackOnly(), client.WithNetworkTypes(webrtc.NetworkTypeTCP4))
	require.NoError(t, err)
	info, err := n.CreateWebRtcTransport(ctx, "r1", "tc")
	require.NoError(t, err)
	recv, err := tcpDev.NewRecvTransport(info, r.connectTo("tc"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = recv.Close() })
	ci, err := n.Consume(ctx, application.ConsumeRequest{TransportID: "tc", ConsumerID: "c1", ProducerID: "pv",
		RtpCapabilities: tcpDev.RecvRtpCapabilities()})
	require.NoError(t, err)
	start := time.Now()
	c, err := recv.Consume(ctx, client.ConsumerInfo{ID: ci.ID, ProducerID: ci.ProducerID, Kind: ci.Kind, RtpParameters: ci.RtpParameters, Type: ci.Type})
	require.NoError(t, err)
	require.NoError(t, n.ResumeConsumer(ctx, ci.ID))
	waitFor(t, ctx, c, func(s client.ConsumerStats) bool { return s.Keyframes >= 1 && s.Packets >= 50 })
	t.Logf("consume to first packet over ICE-TCP: %s", c.Stats().FirstPacketAt.Sub(start).Round(time.Millisecond))

	s, err := n.TransportStats(ctx, "tc")
	require.NoError(t, err)
	require.Equal(t, "tcp", s.ICE.Protocol)
	require.True(t, s.Connected)
	require.Equal(t, 1, n.mux.Stats().TCPOpen)
	ns, err := n.Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, ns.TransportsOverTCP)
	require.NoError(t, n.CloseTransport(ctx, "tc"))
	require.Eventually(t, func() bool { return n.mux.Stats().TCPOpen == 0 }, waitLong, 10*time.Millisecond,
		"closing the transport closes its connection")
}
