package sfu

import (
	"context"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestNodeGetStats(t *testing.T) {
	ctx := context.Background()
	b := loadBrowser(t)
	n, _ := newTestNode(t)
	_, err := n.CreateRouter(ctx, "r1")
	require.NoError(t, err)
	pubPeer := connectedPeer(t, n, "r1", "tp")
	require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv", Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()}))
	venc := b.videoParams().Encodings[0]
	pub := &publisher{testPeer: pubPeer, video: venc.SSRC, rtx: venc.RTX.SSRC, vseq: 1}
	sub := connectedPeer(t, n, "r1", "tc")
	info, err := n.Consume(ctx, application.ConsumeRequest{TransportID: "tc", ConsumerID: "cv", ProducerID: "pv", RtpCapabilities: b.RecvRtpCapabilities})
	require.NoError(t, err)
	require.NoError(t, n.ResumeConsumer(ctx, "cv"))
	vssrc := info.RtpParameters.Encodings[0].SSRC
	_, got := pub.expectRTCP(time.Second, isPLIFor(pub.video))
	require.True(t, got)

	const sent = 10
	pub.sendVideo(t, vp8Key)
	for range sent - 1 {
		pub.sendVideo(t, vp8Delta)
	}
	for range sent {
		_, ok := sub.expectRTP(waitLong, ofSSRC(vssrc))
		require.True(t, ok)
	}

	t.Run("producer: one inbound stream per encoding", func(t *testing.T) {
		st, err := n.GetProducerStats(ctx, "pv")
		require.NoError(t, err)
		require.Len(t, st, 1)
		s := st[0]
		require.Equal(t, application.StatsTypeInboundRtp, s.Type)
		require.Equal(t, venc.SSRC, s.SSRC)
		require.Equal(t, venc.RTX.SSRC, s.RtxSSRC)
		require.Equal(t, domain.MediaKindVideo, s.Kind)
		require.Equal(t, "video/VP8", s.MimeType)
		require.Equal(t, uint64(sent), s.PacketCount)
		require.Positive(t, s.ByteCount)
		require.GreaterOrEqual(t, s.PliCount, uint64(1), "the consumer's start asked for a keyframe")
		require.Equal(t, 10, s.Score, "nothing lost")
		require.Positive(t, s.Timestamp)
	})

	sr, got := sub.expectRTCP(3*time.Second, func(p rtcp.Packet) bool {
		s, ok := p.(*rtcp.SenderReport)
		return ok && s.SSRC == vssrc
	})
	require.True(t, got, "the consumer sends sender reports")
	sub.sendRTCP(&rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: vssrc})
	sub.sendRTCP(&rtcp.ReceiverReport{SSRC: 1, Reports: []rtcp.ReceptionReport{{SSRC: vssrc, FractionLost: 64, TotalLost: 3,
		LastSenderReport: uint32(sr.(*rtcp.SenderReport).NTPTime >> 16), Delay: 65536 / 100}}}) // DLSR 10 ms

	t.Run("consumer: outbound stream, then the producer's", func(t *testing.T) {
		var st []application.RtpStreamStats
		require.Eventually(t, func() bool {
			st, err = n.GetConsumerStats(ctx, "cv")
			require.NoError(t, err)
			return st[0].PliCount == 1 && st[0].RoundTripTime != nil
		}, waitLong, 5*time.Millisecond)
		require.Len(t, st, 2)
		out := st[0]
		require.Equal(t, application.StatsTypeOutboundRtp, out.Type)
		require.Equal(t, vssrc, out.SSRC)
		require.GreaterOrEqual(t, out.PacketCount, uint64(sent))
		require.Equal(t, uint8(64), out.FractionLost)
		require.Equal(t, uint64(3), out.PacketsLost)
		require.Less(t, out.Score, 10, "a quarter lost lowers the score")
		require.GreaterOrEqual(t, *out.RoundTripTime, 0.0)
		require.Less(t, *out.RoundTripTime, 1000.0)
		require.Equal(t, application.StatsTypeInboundRtp, st[1].Type)
		require.Equal(t, venc.SSRC, st[1].SSRC)
	})

	t.Run("transports: states, tuple, bytes and the consumers' RTT", func(t *testing.T) {
		st, err := n.GetTransportStats(ctx, "tc")
		require.NoError(t, err)
		require.Equal(t, application.StatsTypeWebRtcTransport, st.Type)
		require.Equal(t, "tc", st.TransportID)
		require.Equal(t, "completed", st.IceState)
		require.Equal(t, "connected", st.DtlsState)
		require.NotNil(t, st.IceSelectedTuple)
		require.Equal(t, "udp", st.IceSelectedTuple.Protocol)
		require.Equal(t, "127.0.0.1", st.IceSelectedTuple.LocalIP)
		require.Equal(t, n.mux.LocalAddr().Port, st.IceSelectedTuple.LocalPort)
		require.Equal(t, "127.0.0.1", st.IceSelectedTuple.RemoteIP)
		require.Positive(t, st.IceSelectedTuple.RemotePort)
		require.Positive(t, st.BytesSent)
		require.Positive(t, st.BytesReceived)
		require.NotNil(t, st.RoundTripTime)
		require.NotNil(t, st.AvailableOutgoingBitrate, "the downlink estimate")
		require.Positive(t, *st.AvailableOutgoingBitrate)
		pt, err := n.GetTransportStats(ctx, "tp")
		require.NoError(t, err)
		require.Greater(t, pt.BytesReceived, uint64(sent*12))
		require.Nil(t, pt.RoundTripTime, "no consumer on the publisher's transport")
		// Media keeps flowing while this waits: the bitrate is of the last sampled second, and the packets above may
		// lie in a sample taken before this subtest began.
		require.Eventually(t, func() bool {
			pub.sendVideo(t, vp8Delta)
			pt, err := n.GetTransportStats(ctx, "tp")
			require.NoError(t, err)
			return pt.RecvBitrate > 0
		}, 5*time.Second, 20*time.Millisecond, "the report loop samples bitrates every second")
	})

	t.Run("unknown ids", func(t *testing.T) {
		_, err := n.GetProducerStats(ctx, "nope")
		require.ErrorIs(t, err, domain.ErrProducerNotFound)
		_, err = n.GetConsumerStats(ctx, "nope")
		require.ErrorIs(t, err, domain.ErrConsumerNotFound)
		_, err = n.GetTransportStats(ctx, "nope")
		require.ErrorIs(t, err, domain.ErrTransportNotFound)
	})
}

func TestStreamScore(t *testing.T) {
	tests := []struct {
		name              string
		expected, receive []uint32
		jitterMs          float64
		want              uint8
	}{
		{name: "nothing rated yet", want: 10},
		{name: "no loss", expected: []uint32{100, 100}, receive: []uint32{100, 100}, want: 10},
		{name: "steady 5 % loss", expected: []uint32{100, 100, 100}, receive: []uint32{95, 95, 95}, want: 8},
		{name: "steady 20 % loss", expected: []uint32{100, 100, 100}, receive: []uint32{80, 80, 80}, want: 4},
		{name: "one bad interval after good ones", expected: []uint32{100, 100, 100, 100, 100, 100, 100, 100}, receive: []uint32{100, 100, 100, 100, 100, 100, 100, 50}, want: 8},
		{name: "no packet expected keeps the score", expected: []uint32{100, 0}, receive: []uint32{80, 0}, want: 4},
		{name: "high jitter", expected: []uint32{100}, receive: []uint32{100}, jitterMs: 95, want: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s streamScore
			for i := range tt.expected {
				s.update(tt.expected[i], tt.receive[i], tt.jitterMs)
			}
			require.Equal(t, tt.want, s.current())
		})
	}
}
