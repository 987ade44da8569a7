package e2e

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// getJSON reads a master route and decodes its body into out; it returns the status.
func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t, 5*time.Second), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp.StatusCode
}

// The stats routes answer for every object of a live call through the pipe, with counts that move.
func TestStatsThroughThePipe(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 60*time.Second)
	call := c.startCall(ctx, t, true, true)
	producers := call.pub.ProducerIDs()
	require.Len(t, producers, 2)

	inbound := func(producerID string) application.RtpStreamStats {
		var st []application.RtpStreamStats
		require.Equal(t, 200, getJSON(t, c.MasterURL+"/producers/"+producerID+"/stats", &st))
		require.Len(t, st, 1)
		require.Equal(t, application.StatsTypeInboundRtp, st[0].Type)
		return st[0]
	}
	outbound := func(consumerID string) []application.RtpStreamStats {
		var st []application.RtpStreamStats
		require.Equal(t, 200, getJSON(t, c.MasterURL+"/consumers/"+consumerID+"/stats", &st))
		require.Len(t, st, 2, "the outbound stream and the producer's inbound one")
		require.Equal(t, application.StatsTypeOutboundRtp, st[0].Type)
		require.Equal(t, application.StatsTypeInboundRtp, st[1].Type)
		return st
	}
	transport := func(path string) application.TransportStats {
		var st application.TransportStats
		require.Equal(t, 200, getJSON(t, c.MasterURL+path, &st))
		require.Equal(t, application.StatsTypeWebRtcTransport, st.Type)
		require.Equal(t, "completed", st.IceState)
		require.Equal(t, "connected", st.DtlsState)
		require.NotNil(t, st.IceSelectedTuple)
		return st
	}

	firstIn := map[string]application.RtpStreamStats{}
	for _, id := range producers {
		firstIn[id] = inbound(id)
	}
	firstOut := map[string]application.RtpStreamStats{}
	for _, cons := range call.sub.Consumers {
		firstOut[cons.ID()] = outbound(cons.ID())[0]
	}
	firstPub := transport("/producer_peers/" + call.pub.PeerID + "/stats")
	firstSub := transport("/consumer_peers/" + call.sub.PeerID + "/stats")

	require.Eventually(t, func() bool {
		for _, id := range producers {
			if inbound(id).ByteCount <= firstIn[id].ByteCount {
				return false
			}
		}
		for _, cons := range call.sub.Consumers {
			if outbound(cons.ID())[0].ByteCount <= firstOut[cons.ID()].ByteCount {
				return false
			}
		}
		return transport("/producer_peers/"+call.pub.PeerID+"/stats").BytesReceived > firstPub.BytesReceived &&
			transport("/consumer_peers/"+call.sub.PeerID+"/stats").BytesSent > firstSub.BytesSent
	}, 10*time.Second, 100*time.Millisecond, "bytes grow between two reads")

	for _, id := range producers {
		in := inbound(id)
		require.Positive(t, in.PacketCount)
		require.Equal(t, 10, in.Score, "loopback loses nothing")
	}
	for _, cons := range call.sub.Consumers {
		st := outbound(cons.ID())
		require.Positive(t, st[0].PacketCount)
		require.Equal(t, cons.RtpParameters().Encodings[0].SSRC, st[0].SSRC)
		require.Positive(t, st[1].PacketCount, "the pipe's copy of the producer receives")
	}
	require.Eventually(t, func() bool {
		return transport("/producer_peers/"+call.pub.PeerID+"/stats").RecvBitrate > 0 &&
			transport("/consumer_peers/"+call.sub.PeerID+"/stats").SendBitrate > 0
	}, 5*time.Second, 100*time.Millisecond, "bitrates are sampled every second")

	t.Run("unknown ids", func(t *testing.T) {
		var out any
		for _, path := range []string{"/producers/nope/stats", "/consumers/nope/stats", "/producer_peers/nope/stats", "/consumer_peers/nope/stats"} {
			require.Equal(t, 404, getJSON(t, c.MasterURL+path, &out), path)
		}
		require.Equal(t, 400, getJSON(t, c.MasterURL+"/producer_peers/"+call.sub.PeerID+"/stats", &out), "a consumer peer on the producer route")
	})
}
