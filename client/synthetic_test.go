package client

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestSyntheticOptions(t *testing.T) {
	tests := []struct {
		name    string
		make    func(...SyntheticOption) (*SyntheticSource, error)
		opts    []SyntheticOption
		wantErr bool
		want    syntheticConfig
	}{
		{name: "audio defaults", make: NewSyntheticAudio, want: syntheticConfig{packetRate: 50, payloadSize: 40, packetsPerFrame: 1, temporalLayers: 1}},
		{name: "video defaults", make: NewSyntheticVideo, want: syntheticConfig{packetRate: 100, payloadSize: 1200, packetsPerFrame: 4, temporalLayers: 1}},
		{name: "video tuned", make: NewSyntheticVideo,
			opts: []SyntheticOption{WithPacketRate(300), WithPayloadSize(1000), WithPacketsPerFrame(10), WithKeyframeInterval(time.Second)},
			want: syntheticConfig{packetRate: 300, payloadSize: 1000, packetsPerFrame: 10, keyframeInterval: time.Second, temporalLayers: 1}},
		{name: "zero rate", make: NewSyntheticVideo, opts: []SyntheticOption{WithPacketRate(0)}, wantErr: true},
		{name: "payload above MTU", make: NewSyntheticAudio, opts: []SyntheticOption{WithPayloadSize(1500)}, wantErr: true},
		{name: "zero packets per frame", make: NewSyntheticVideo, opts: []SyntheticOption{WithPacketsPerFrame(0)}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.make(tc.opts...)
			if tc.wantErr {
				require.ErrorIs(t, err, domain.ErrInvalidInput)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, s.cfg)
		})
	}
}

// Unbound, the track drops what it is given; the pacer still paces, keyframes follow the interval, Close stops it.
func TestSyntheticPacing(t *testing.T) {
	s, err := NewSyntheticVideo(WithPacketRate(200), WithPacketsPerFrame(2), WithKeyframeInterval(100*time.Millisecond))
	require.NoError(t, err)
	require.Equal(t, "video/VP8", s.Track().Codec().MimeType)
	start := time.Now()
	s.Start(context.Background(), nil)
	s.Start(context.Background(), nil) // only the first counts
	// 100 packets take 0.5 s at 200/s; a busy machine may take longer (the pacer skips what a stall made late),
	// never shorter: it keeps the rate against the wall clock.
	require.Eventually(t, func() bool { return s.PacketsSent() >= 100 }, 15*time.Second, 5*time.Millisecond)
	require.NoError(t, s.Close())
	elapsed := time.Since(start)
	sent, keys := s.PacketsSent(), s.KeyframesSent()
	require.LessOrEqual(t, sent, uint64(elapsed.Seconds()*200)+1, "at most 200 packets/s: %d in %s", sent, elapsed)
	require.GreaterOrEqual(t, elapsed, 495*time.Millisecond, "100 packets at 200/s")
	require.GreaterOrEqual(t, keys, uint64(4), "one at start, then one per 100 ms")
	require.Less(t, keys, sent/2)
	time.Sleep(50 * time.Millisecond)
	require.Equal(t, sent, s.PacketsSent(), "nothing after Close")
	require.NoError(t, s.Close(), "Close twice is fine")
}

func TestSyntheticStopsWithContext(t *testing.T) {
	s, err := NewSyntheticAudio()
	require.NoError(t, err)
	require.Equal(t, domain.MediaKindAudio, s.Kind())
	ctx, cancel := context.WithCancel(context.Background())
	s.Start(ctx, nil)
	require.Eventually(t, func() bool { return s.PacketsSent() > 0 }, 10*time.Second, 5*time.Millisecond)
	cancel()
	s.pacer.Wait()
	require.Zero(t, s.KeyframesSent(), "audio has no keyframes")
}
