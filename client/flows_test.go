package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// A fake master in front of the fake slave: the flows' HTTP calls and their media, end to end in one process.

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func TestPublishFlow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv := newFakeServer(t, routerCaps())

	var mu sync.Mutex
	var calls []string
	var produced []domain.RtpParameters
	mux := http.NewServeMux()
	record := func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, r.Method+" "+r.URL.Path)
	}
	mux.HandleFunc("GET /rooms/room-1", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		writeJSON(w, Room{ID: "room-1", RtpCapabilities: routerCaps()})
	})
	mux.HandleFunc("POST /rooms/room-1/producer_peers", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		writeJSON(w, srv.info)
	})
	mux.HandleFunc("POST /producer_peers/fake-transport/connect", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		writeJSON(w, map[string]any{})
	})
	mux.HandleFunc("POST /producer_peers/fake-transport/produce", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		var body struct {
			Kind          domain.MediaKind     `json:"kind"`
			RtpParameters domain.RtpParameters `json:"rtpParameters"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.RtpParameters.Validate(body.Kind) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		produced = append(produced, body.RtpParameters)
		mu.Unlock()
		writeJSON(w, map[string]string{"id": "producer-" + string(body.Kind)})
	})
	master := httptest.NewServer(mux)
	defer master.Close()
	api, err := NewAPI(master.URL)
	require.NoError(t, err)

	var audioPkts, videoPkts atomic.Int64
	srv.pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		counter := &audioPkts
		if track.Kind() == webrtc.RTPCodecTypeVideo {
			counter = &videoPkts
			_ = srv.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(track.SSRC())}})
		}
		for {
			if _, _, err := track.ReadRTP(); err != nil {
				return
			}
			counter.Add(1)
		}
	})

	pub, err := Publish(ctx, api, "room-1", "alice", true, true, LoopbackOnly(), WithVideoSource(WithPacketRate(200)))
	require.NoError(t, err)
	defer pub.Close()
	require.Equal(t, []string{"producer-audio", "producer-video"}, pub.ProducerIDs())
	require.Equal(t, "fake-transport", pub.PeerID)
	require.Equal(t, 200, pub.Sources[1].cfg.packetRate)
	mu.Lock()
	require.Equal(t, []string{"GET /rooms/room-1", "POST /rooms/room-1/producer_peers", "POST /producer_peers/fake-transport/connect",
		"POST /producer_peers/fake-transport/produce", "POST /producer_peers/fake-transport/produce"}, calls)
	require.Len(t, produced, 2)
	mu.Unlock()

	srv.answer(t, pub.Transport.PeerConnection().LocalDescription())
	require.NoError(t, pub.Transport.WaitConnected(ctx))
	require.Eventually(t, func() bool { return audioPkts.Load() >= 10 && videoPkts.Load() >= 40 }, 10*time.Second, 20*time.Millisecond)
	require.Eventually(t, func() bool { return pub.Sources[1].PLICount() >= 1 }, 5*time.Second, 20*time.Millisecond)
	require.NoError(t, pub.Close())
}

func TestSubscribeFlow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv := newFakeServer(t, routerCaps())

	var mu sync.Mutex
	var resumed []string
	senders := map[string]*fakeSender{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /rooms/room-1/consumer_routers", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, ConsumerRouter{ID: "router-2", RtpCapabilities: routerCaps()})
	})
	mux.HandleFunc("POST /router/router-2/consumer_peers", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, srv.info)
	})
	mux.HandleFunc("POST /consumer_peers/fake-transport/connect", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{})
	})
	mux.HandleFunc("POST /consumer_peers/fake-transport/consume", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ProducerID      string                 `json:"producerId"`
			RtpCapabilities domain.RtpCapabilities `json:"rtpCapabilities"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.RtpCapabilities.Validate() != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		newSrc := NewSyntheticAudio
		if body.ProducerID == "producer-video" {
			newSrc = NewSyntheticVideo
		}
		// Each consume makes the fake slave's next offer; the test applies the client's answer (a real slave has
		// no need of it, and this one cannot offer again before it has it).
		f, err := srv.addSenderE(ctx, newSrc)
		if err != nil {
			t.Log(err)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		mu.Lock()
		senders[body.ProducerID] = f
		mu.Unlock()
		info := f.info("consumer-" + body.ProducerID)
		info.ProducerID = body.ProducerID
		writeJSON(w, info)
	})
	mux.HandleFunc("POST /consumer_peers/fake-transport/resume", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ConsumerID string `json:"consumerId"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		resumed = append(resumed, body.ConsumerID)
		mu.Unlock()
		writeJSON(w, map[string]any{})
	})
	master := httptest.NewServer(mux)
	defer master.Close()
	api, err := NewAPI(master.URL)
	require.NoError(t, err)

	sub, err := Subscribe(ctx, api, "room-1", "bob", []string{"producer-video"}, LoopbackOnly())
	require.NoError(t, err)
	defer sub.Close()
	require.Equal(t, "router-2", sub.RouterID)
	require.NoError(t, srv.pc.SetRemoteDescription(*sub.Transport.PeerConnection().LocalDescription()))
	require.NoError(t, sub.Transport.WaitConnected(ctx))

	_, err = sub.Consume(ctx, "producer-audio")
	require.NoError(t, err)
	require.NoError(t, srv.pc.SetRemoteDescription(*sub.Transport.PeerConnection().LocalDescription()))
	require.Len(t, sub.Consumers, 2)
	mu.Lock()
	require.Equal(t, []string{"consumer-producer-video", "consumer-producer-audio"}, resumed)
	mu.Unlock()

	video, audio := sub.Consumers[0], sub.Consumers[1]
	require.Equal(t, "producer-video", video.ProducerID())
	require.Equal(t, domain.MediaKindAudio, audio.Kind())
	require.NoError(t, video.WaitFor(ctx, func(s ConsumerStats) bool { return s.Packets >= 20 }))
	require.NoError(t, audio.WaitFor(ctx, func(s ConsumerStats) bool { return s.Packets >= 10 }))
	require.NoError(t, video.SendPLI())
	require.NoError(t, video.WaitFor(ctx, func(s ConsumerStats) bool { return s.Keyframes >= 1 }))

	require.NoError(t, sub.Close())
	mu.Lock()
	defer mu.Unlock()
	for _, f := range senders {
		require.NoError(t, f.src.Close())
	}
}
