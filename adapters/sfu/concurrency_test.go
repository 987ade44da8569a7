package sfu

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestConcurrentControlWhileMediaFlows runs control calls from several goroutines (as concurrent HTTP requests
// do) while a publisher streams, for the race detector and the close cascade's bookkeeping.
func TestConcurrentControlWhileMediaFlows(t *testing.T) {
	ctx := context.Background()
	b := loadBrowser(t)
	n, _ := newTestNode(t)
	_, err := n.CreateRouter(ctx, "r1")
	require.NoError(t, err)
	pubPeer := connectedPeer(t, n, "r1", "tp")
	require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv", Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()}))
	venc := b.videoParams().Encodings[0]
	pub := &publisher{testPeer: pubPeer, video: venc.SSRC}

	stop := make(chan struct{})
	var media sync.WaitGroup
	media.Add(1)
	go func() {
		defer media.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%20 == 0 {
				pub.sendVideo(t, vp8Key)
			} else {
				pub.sendVideo(t, vp8Delta)
			}
		}
	}()
	stopMedia := sync.OnceFunc(func() { close(stop); media.Wait() })
	defer stopMedia() // also when a wait below fails
	// The control calls must overlap media: start them once the producer has received packets, however long the
	// first ones take to cross a busy machine.
	received := func() uint64 {
		ps, err := n.ProducerStats(ctx, "pv")
		if err != nil {
			return 0 // counted as nothing: the wait below then fails with its message
		}
		return ps.Packets
	}
	require.Eventually(t, func() bool { return received() > 0 }, 10*time.Second, 5*time.Millisecond, "no media reached the producer")

	const workers, rounds = 4, 10
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				tid := fmt.Sprintf("t%d-%d", w, i)
				if _, err := n.CreateWebRtcTransport(ctx, "r1", tid); err != nil {
					t.Error(err)
					return
				}
				for j := range 3 {
					cid := fmt.Sprintf("%s-c%d", tid, j)
					if _, err := n.Consume(ctx, application.ConsumeRequest{TransportID: tid, ConsumerID: cid, ProducerID: "pv", RtpCapabilities: b.RecvRtpCapabilities}); err != nil {
						t.Error(err)
						return
					}
					_ = n.ResumeConsumer(ctx, cid)
				}
				_ = n.PauseProducer(ctx, "pv")
				_ = n.ResumeProducer(ctx, "pv")
				_, _ = n.Stats(ctx)
				if err := n.CloseTransport(ctx, tid); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	// Media still flows after the churn.
	before := received()
	require.Eventually(t, func() bool { return received() > before }, 10*time.Second, 5*time.Millisecond,
		"the producer stopped receiving after the control calls")
	stopMedia()

	s, err := n.Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, application.NodeStats{Routers: 1, Transports: 1, Producers: 1}, objectCounts(s))
	ps, err := n.ProducerStats(ctx, "pv")
	require.NoError(t, err)
	require.Zero(t, ps.Consumers, "every consumer detached from the producer")
}
