package sfu

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// benchSimulcastFanout is benchSFUFanout with a simulcast publisher: three encodings by SSRC (as the Go client
// and the pipe send them), of which the benchmark sends the top one, the layer every simulcast consumer
// forwards by default. Its VP8 payloads carry a picture ID, TL0PICIDX and TID, which consumers rewrite.
func benchSimulcastFanout(b *testing.B, n int) {
	br := loadBrowser(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ctx := context.Background()
	node := newBenchNode(b, -1)
	_, err := node.CreateRouter(ctx, "r")
	require.NoError(b, err)
	connectedSink(b, node, "r", "tp")
	params := br.Produce[2].RtpParameters
	params.Encodings = []domain.RtpEncodingParameters{
		{SSRC: 5000, ScalabilityMode: "L1T3"}, {SSRC: 5001, ScalabilityMode: "L1T3"}, {SSRC: 5002, ScalabilityMode: "L1T3"},
	}
	require.NoError(b, node.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv", Kind: domain.MediaKindVideo, RtpParameters: params}))
	for i := range n {
		id := fmt.Sprint("tc", i)
		connectedSink(b, node, "r", id)
		info, err := node.Consume(ctx, application.ConsumeRequest{TransportID: id, ConsumerID: id, ProducerID: "pv", RtpCapabilities: br.RecvRtpCapabilities})
		require.NoError(b, err)
		require.Equal(b, domain.ConsumerTypeSimulcast, info.Type)
		require.NoError(b, node.ResumeConsumer(ctx, id))
	}
	node.mu.Lock()
	up := node.transports["tp"].endpoint
	p := node.producers["pv"]
	node.mu.Unlock()

	in := newIngress(b)
	seq := 0
	packet := func(key bool) []byte {
		payload := make([]byte, benchPayloadLen)
		copy(payload, vp8Frame(100, 1, 0, false, key, 2))
		pkt := browserPacket(b, 96, 5002, 0, 0, payload, map[uint8][]byte{4: []byte("2"), 2: {1, 2, 3}, 3: {0, 1}})
		return pkt
	}
	next := func(pkt []byte) {
		seq++
		stamp(pkt, seq)
		in.send(b, pkt)
		up.OnRTP(in.receive(b))
	}
	// The layer becomes active (the report loop sees it), the consumers target it; they start on a keyframe.
	delta := packet(false)
	require.Eventually(b, func() bool {
		next(delta)
		for _, c := range p.consumerList() {
			c.mu.Lock()
			target, _ := c.sim.sel.Target()
			c.mu.Unlock()
			if target != 2 {
				return false
			}
		}
		return true
	}, waitLong, reportTick/4)
	next(packet(true))

	forwarded := uint64(1)
	refill := func(k int) {
		for range k {
			seq++
			stamp(delta, seq)
			in.send(b, delta)
		}
	}
	var m meter
	b.ReportAllocs()
	loopBursts(b, &m, refill, func() {
		up.OnRTP(in.receive(b))
		forwarded++
	})
	m.report(b, n, false)
	requireForwarded(b, node, n, forwarded)
}
