package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/pion/webrtc/v4"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// SimulcastEncoding is one layer of a simulcast video producer, lowest first, as mediasoup-client's `encodings`.
type SimulcastEncoding struct {
	RID                   string
	ScaleResolutionDownBy float64 // of the full size (1280x720 for synthetic video)
	MaxBitrate            int     // bits per second
	ScalabilityMode       string  // "L1T1" … "L1T3"
}

// DemoSimulcastEncodings are mediasoup-demo's camera encodings: three layers at a quarter, half and full size,
// 150 kbit/s, 500 kbit/s and 1.5 Mbit/s, three temporal layers each.
var DemoSimulcastEncodings = []SimulcastEncoding{
	{RID: "r0", ScaleResolutionDownBy: 4, MaxBitrate: 150_000, ScalabilityMode: "L1T3"},
	{RID: "r1", ScaleResolutionDownBy: 2, MaxBitrate: 500_000, ScalabilityMode: "L1T3"},
	{RID: "r2", ScaleResolutionDownBy: 1, MaxBitrate: 1_500_000, ScalabilityMode: "L1T3"},
}

// Synthetic simulcast video's full size and frame rate.
const (
	simulcastWidth, simulcastHeight = 1280, 720
	simulcastFPS                    = 25
	maxPayload                      = 1200
)

// SyntheticSimulcast is VP8-shaped simulcast video: one SyntheticSource per layer, each on its own RID track of
// one stream, paced at its encoding's maxBitrate (25 frames/s, as many packets a frame as the bitrate needs),
// with keyframes that announce the layer's size (1280x720 scaled down) and the encoding's temporal layers in
// every packet's VP8 descriptor (TID, TL0PICIDX, Y).
//
// Lifecycle: NewSyntheticSimulcast → Tracks() given to SendTransport.ProduceSimulcast → Start(ctx, sender) →
// Close.
type SyntheticSimulcast struct {
	// Layers are the layers' sources, lowest first.
	Layers    []*SyntheticSource
	encodings []SimulcastEncoding
}

// NewSyntheticSimulcast makes a source per encoding. opts apply to every layer (e.g. WithKeyframeInterval); rate,
// payload and packets per frame come from the encoding.
func NewSyntheticSimulcast(encodings []SimulcastEncoding, opts ...SyntheticOption) (*SyntheticSimulcast, error) {
	if len(encodings) < 1 || len(encodings) > domain.MaxSimulcastEncodings {
		return nil, fmt.Errorf("%w: simulcast needs 1 to %d encodings", domain.ErrInvalidInput, domain.MaxSimulcastEncodings)
	}
	stream := fmt.Sprintf("synthetic-%08x", rand.Uint32())
	codec := webrtc.RTPCodecCapability{MimeType: mimeVP8, ClockRate: 90000}
	s := &SyntheticSimulcast{encodings: encodings}
	for i, e := range encodings {
		_, temporal, err := domain.ParseScalabilityMode(e.ScalabilityMode)
		if err != nil {
			return nil, fmt.Errorf("encodings[%d]: %w", i, err)
		}
		if e.RID == "" || e.MaxBitrate < 8*simulcastFPS || e.ScaleResolutionDownBy < 1 {
			return nil, fmt.Errorf("%w: encodings[%d] needs a rid, a maxBitrate of at least %d and a scale of at least 1", domain.ErrInvalidInput, i, 8*simulcastFPS)
		}
		bytesPerFrame := e.MaxBitrate / 8 / simulcastFPS
		perFrame := (bytesPerFrame + maxPayload - 1) / maxPayload
		cfg := syntheticConfig{packetRate: perFrame * simulcastFPS, payloadSize: bytesPerFrame / perFrame, packetsPerFrame: perFrame,
			rid: e.RID, width: uint16(simulcastWidth / e.ScaleResolutionDownBy), height: uint16(simulcastHeight / e.ScaleResolutionDownBy),
			temporalLayers: temporal}
		for _, o := range opts {
			o(&cfg)
		}
		cfg.rid = e.RID // an option cannot take a layer's identity
		layer, err := newSyntheticTrack(domain.MediaKindVideo, codec, cfg, stream)
		if err != nil {
			return nil, err
		}
		s.Layers = append(s.Layers, layer)
	}
	return s, nil
}

// Tracks are the layers' tracks, lowest first, for SendTransport.ProduceSimulcast.
func (s *SyntheticSimulcast) Tracks() []webrtc.TrackLocal {
	out := make([]webrtc.TrackLocal, len(s.Layers))
	for i, l := range s.Layers {
		out[i] = l.Track()
	}
	return out
}

// Encodings are the encodings it was made with.
func (s *SyntheticSimulcast) Encodings() []SimulcastEncoding { return s.encodings }

// Start starts every layer; each reads its own RTCP (keyframe requests) from sender.
func (s *SyntheticSimulcast) Start(ctx context.Context, sender *webrtc.RTPSender) {
	for _, l := range s.Layers {
		l.Start(ctx, sender)
	}
}

// Close stops every layer.
func (s *SyntheticSimulcast) Close() error {
	var errs []error
	for _, l := range s.Layers {
		errs = append(errs, l.Close())
	}
	return errors.Join(errs...)
}
