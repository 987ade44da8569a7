package sfu

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// mediaEvents collects what a node's observers report.
type mediaEvents struct {
	mu     sync.Mutex
	events []application.MediaEvent
}

func (m *mediaEvents) record(events []application.MediaEvent) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, events...)
}

func (m *mediaEvents) find(match func(application.MediaEvent) bool) (application.MediaEvent, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.events {
		if match(e) {
			return e, true
		}
	}
	return application.MediaEvent{}, false
}

// sendAudioLevel sends one opus packet whose RFC 6464 extension (the browser's id 1) says -dBov.
func (p *publisher) sendAudioLevel(tb testing.TB, dBov byte) {
	tb.Helper()
	p.sendRTP(browserPacket(tb, 111, p.audio, p.aseq, p.ats, []byte{0xFC, 0xFF, 0xFE}, map[uint8][]byte{1: {dBov}, 4: []byte("0")}))
	p.aseq++
	p.ats += 960
}

// newObservedNode is a node whose observers report into the returned collector, with router r1.
func newObservedNode(t *testing.T) (*Node, *mediaEvents) {
	t.Helper()
	events := &mediaEvents{}
	n, err := NewNode(NodeConfig{ListenIP: "127.0.0.1", OnMediaEvents: events.record})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, n.Close()) })
	_, err = n.CreateRouter(context.Background(), "r1")
	require.NoError(t, err)
	return n, events
}

// every20ms calls send every 20 ms (a browser's audio packet rate) until the test ends.
func every20ms(t *testing.T, send func()) {
	t.Helper()
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				send()
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
}

// Two audio producers of one router, one with a tone and one silent: the observers report the tone's volume
// alone, and name it the active speaker.
func TestNodeAudioObservers(t *testing.T) {
	ctx := context.Background()
	b := loadBrowser(t)
	n, events := newObservedNode(t)
	pubs := map[string]*publisher{}
	for _, id := range []string{"tone", "silent"} {
		peer := connectedPeer(t, n, "r1", "t-"+id)
		require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "t-" + id, ProducerID: id, Kind: domain.MediaKindAudio, RtpParameters: b.audioParams()}))
		pubs[id] = &publisher{testPeer: peer, audio: b.audioParams().Encodings[0].SSRC, aseq: 1}
	}

	start := time.Now()
	every20ms(t, func() {
		pubs["tone"].sendAudioLevel(t, 12)
		pubs["silent"].sendAudioLevel(t, 127)
	})

	var speakerAt time.Duration
	require.Eventually(t, func() bool {
		_, ok := events.find(func(e application.MediaEvent) bool {
			return e.Type == application.EventActiveSpeaker && e.ProducerID == "tone"
		})
		speakerAt = time.Since(start)
		return ok
	}, 5*time.Second, 10*time.Millisecond, "the tone becomes the active speaker")
	require.Less(t, speakerAt, 2*time.Second)
	vol, ok := events.find(func(e application.MediaEvent) bool { return e.Type == application.EventVolumes })
	require.True(t, ok, "volumes reported by then")
	require.Equal(t, []application.ProducerVolume{{ProducerID: "tone", Volume: -12}}, vol.Volumes, "the silent one is below the threshold")
	_, other := events.find(func(e application.MediaEvent) bool {
		return e.Type == application.EventActiveSpeaker && e.ProducerID != "tone"
	})
	require.False(t, other)
	_, scored := events.find(func(e application.MediaEvent) bool { return e.Type == application.EventProducerScore })
	require.False(t, scored, "no loss: the scores stay at 10")
}

func TestNodeRejectsABadAudioObserverConfig(t *testing.T) {
	cfg := NodeConfig{ListenIP: "127.0.0.1", OnMediaEvents: func([]application.MediaEvent) {}}
	cfg.AudioObserver.Tick = time.Millisecond // the rest zero: invalid
	_, err := NewNode(cfg)
	require.ErrorIs(t, err, domain.ErrInvalidInput)
}

// A producer that loses half its packets has its score fall, and a producer_score event says so.
func TestNodeProducerScoreEvents(t *testing.T) {
	ctx := context.Background()
	b := loadBrowser(t)
	n, events := newObservedNode(t)
	peer := connectedPeer(t, n, "r1", "tp")
	require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "lossy", Kind: domain.MediaKindAudio, RtpParameters: b.audioParams()}))
	pub := &publisher{testPeer: peer, audio: b.audioParams().Encodings[0].SSRC, aseq: 1}
	every20ms(t, func() {
		pub.sendAudioLevel(t, 40)
		pub.aseq++ // every other packet lost
	})
	var ev application.MediaEvent
	require.Eventually(t, func() bool {
		var ok bool
		ev, ok = events.find(func(e application.MediaEvent) bool { return e.Type == application.EventProducerScore })
		return ok
	}, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, "lossy", ev.ProducerID)
	require.LessOrEqual(t, *ev.Score, 8)
	st, err := n.GetProducerStats(ctx, "lossy")
	require.NoError(t, err)
	require.Positive(t, st[0].PacketsLost)
	require.Less(t, st[0].Score, 10)
}
