package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// SyntheticSource sends real RTP without an encoder: Opus-shaped audio or VP8-shaped video through a
// webrtc.TrackLocalStaticRTP, paced by a ticker. Video starts with a keyframe and sends one again whenever the
// sender receives a PLI or FIR (and every KeyframeInterval if set), which is what an SFU test needs to observe.
//
// Lifecycle: New → Track() given to SendTransport.Produce → Start(ctx, producer.Sender()) → Close. The RTCP reader
// started by Start ends when the sender stops (its transport closes); the pacer ends on Close or ctx.
type SyntheticSource struct {
	kind  domain.MediaKind
	cfg   syntheticConfig
	track *webrtc.TrackLocalStaticRTP

	keyframeWanted atomic.Bool
	plis, firs     atomic.Uint64
	twccFeedback   atomic.Uint64
	packets        atomic.Uint64
	keyframes      atomic.Uint64
	writeErrors    atomic.Uint64

	startOnce sync.Once
	closeOnce sync.Once
	stop      chan struct{}
	pacer     sync.WaitGroup
}

type syntheticConfig struct {
	packetRate       int           // packets per second
	payloadSize      int           // bytes of RTP payload per packet
	packetsPerFrame  int           // video only
	keyframeInterval time.Duration // video only; 0 = only at start and on request
	// Simulcast layers (see NewSyntheticSimulcast): the track's RID, the size keyframes announce (0: 320x240) and
	// the VP8 temporal layers (1: no TID in the descriptor).
	rid            string
	width, height  uint16
	temporalLayers int
}

// SyntheticOption tunes a SyntheticSource.
type SyntheticOption func(*syntheticConfig)

// WithPacketRate sets packets per second (audio default 50, video default 100).
func WithPacketRate(pps int) SyntheticOption { return func(c *syntheticConfig) { c.packetRate = pps } }

// WithPayloadSize sets the RTP payload size in bytes (audio default 40, video default 1200).
func WithPayloadSize(n int) SyntheticOption { return func(c *syntheticConfig) { c.payloadSize = n } }

// WithPacketsPerFrame sets how many packets make one video frame (default 4: 25 frames/s at 100 packets/s).
func WithPacketsPerFrame(n int) SyntheticOption {
	return func(c *syntheticConfig) { c.packetsPerFrame = n }
}

// WithKeyframeInterval sends a video keyframe at least this often.
func WithKeyframeInterval(d time.Duration) SyntheticOption {
	return func(c *syntheticConfig) { c.keyframeInterval = d }
}

// NewSyntheticAudio makes Opus-shaped audio: 20 ms packets (50/s), a CELT fullband stereo TOC byte and filler.
func NewSyntheticAudio(opts ...SyntheticOption) (*SyntheticSource, error) {
	cfg := syntheticConfig{packetRate: 50, payloadSize: 40, packetsPerFrame: 1, temporalLayers: 1}
	return newSynthetic(domain.MediaKindAudio, webrtc.RTPCodecCapability{MimeType: mimeOpus, ClockRate: 48000, Channels: 2}, cfg, opts)
}

// NewSyntheticVideo makes VP8-shaped video: by default 100 packets/s of 1200 bytes (~1 Mbit/s), 4 packets a frame.
func NewSyntheticVideo(opts ...SyntheticOption) (*SyntheticSource, error) {
	cfg := syntheticConfig{packetRate: 100, payloadSize: 1200, packetsPerFrame: 4, temporalLayers: 1}
	return newSynthetic(domain.MediaKindVideo, webrtc.RTPCodecCapability{MimeType: mimeVP8, ClockRate: 90000}, cfg, opts)
}

func newSynthetic(kind domain.MediaKind, codec webrtc.RTPCodecCapability, cfg syntheticConfig, opts []SyntheticOption) (*SyntheticSource, error) {
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.packetRate <= 0 || cfg.payloadSize <= 0 || cfg.packetsPerFrame <= 0 || cfg.packetRate > 10000 || cfg.payloadSize > 1200 ||
		cfg.temporalLayers < 1 || cfg.temporalLayers > len(vp8TemporalPatterns) {
		return nil, fmt.Errorf("%w: synthetic %s: rate 1..10000, payload 1..1200, packets per frame > 0 and 1..3 temporal layers are required", domain.ErrInvalidInput, kind)
	}
	return newSyntheticTrack(kind, codec, cfg, fmt.Sprintf("synthetic-%08x", rand.Uint32()))
}

// newSyntheticTrack makes the source's track in stream (simulcast layers share one stream and track id, and differ
// by RID).
func newSyntheticTrack(kind domain.MediaKind, codec webrtc.RTPCodecCapability, cfg syntheticConfig, stream string) (*SyntheticSource, error) {
	var trackOpts []func(*webrtc.TrackLocalStaticRTP)
	if cfg.rid != "" {
		trackOpts = append(trackOpts, webrtc.WithRTPStreamID(cfg.rid))
	}
	track, err := webrtc.NewTrackLocalStaticRTP(codec, string(kind), stream, trackOpts...)
	if err != nil {
		return nil, fmt.Errorf("client: synthetic track: %w", err)
	}
	return &SyntheticSource{kind: kind, cfg: cfg, track: track, stop: make(chan struct{})}, nil
}

// Track is what to pass to SendTransport.Produce.
func (s *SyntheticSource) Track() *webrtc.TrackLocalStaticRTP { return s.track }

// Kind is audio or video.
func (s *SyntheticSource) Kind() domain.MediaKind { return s.kind }

// PLICount is how many PLIs the sender received.
func (s *SyntheticSource) PLICount() uint64 { return s.plis.Load() }

// FIRCount is how many FIRs the sender received.
func (s *SyntheticSource) FIRCount() uint64 { return s.firs.Load() }

// TransportCCCount is how many transport-cc feedback packets (the server's report of what arrived, for the
// sender's bandwidth estimation) reached this source's sender.
func (s *SyntheticSource) TransportCCCount() uint64 { return s.twccFeedback.Load() }

// PacketsSent counts packets handed to the track (a track not yet bound drops them).
func (s *SyntheticSource) PacketsSent() uint64 { return s.packets.Load() }

// KeyframesSent counts video keyframes.
func (s *SyntheticSource) KeyframesSent() uint64 { return s.keyframes.Load() }

// Start begins pacing and, when sender is not nil, reading its RTCP. Only the first call has an effect.
func (s *SyntheticSource) Start(ctx context.Context, sender *webrtc.RTPSender) {
	s.startOnce.Do(func() {
		s.keyframeWanted.Store(true)
		s.pacer.Add(1)
		go s.pace(ctx)
		if sender != nil {
			go s.readRTCP(sender)
		}
	})
}

// Close stops the pacer and waits for it.
func (s *SyntheticSource) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	s.pacer.Wait()
	return nil
}

// readRTCP drains the sender's RTCP (which also feeds the NACK responder) until the sender stops: a simulcast
// layer's own, so a keyframe request for one layer makes a keyframe of that layer only.
func (s *SyntheticSource) readRTCP(sender *webrtc.RTPSender) {
	read := sender.ReadRTCP
	if s.cfg.rid != "" {
		read = func() ([]rtcp.Packet, interceptor.Attributes, error) { return sender.ReadSimulcastRTCP(s.cfg.rid) }
	}
	for {
		pkts, _, err := read()
		if err != nil {
			return
		}
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.PictureLossIndication:
				s.plis.Add(1)
				s.keyframeWanted.Store(true)
			case *rtcp.FullIntraRequest:
				s.firs.Add(1)
				s.keyframeWanted.Store(true)
			case *rtcp.TransportLayerCC:
				s.twccFeedback.Add(1)
			}
		}
	}
}

func (s *SyntheticSource) pace(ctx context.Context) {
	defer s.pacer.Done()
	interval := time.Second / time.Duration(s.cfg.packetRate)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	clock := uint32(48000)
	if s.kind == domain.MediaKindVideo {
		clock = 90000
	}
	tsStep := clock * uint32(s.cfg.packetsPerFrame) / uint32(s.cfg.packetRate)
	seq, ts := uint16(rand.Uint32()), rand.Uint32()
	var pictureID uint16
	var inFrame int
	var keyframe bool
	var lastKeyframe time.Time
	var temporal temporalState
	send := func(now time.Time) {
		first := inFrame == 0
		if first && s.kind == domain.MediaKindVideo {
			due := s.cfg.keyframeInterval > 0 && now.Sub(lastKeyframe) >= s.cfg.keyframeInterval
			keyframe = s.keyframeWanted.Swap(false) || due
			if keyframe {
				lastKeyframe = now
				s.keyframes.Add(1)
			}
			temporal.next(s.cfg.temporalLayers, keyframe)
		}
		last := inFrame == s.cfg.packetsPerFrame-1
		pkt := &rtp.Packet{
			Header:  rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: ts, Marker: last || s.kind == domain.MediaKindAudio},
			Payload: s.payload(first, keyframe, pictureID, temporal),
		}
		if err := s.track.WriteRTP(pkt); err != nil && !errors.Is(err, context.Canceled) {
			s.writeErrors.Add(1)
		}
		s.packets.Add(1)
		seq++
		inFrame++
		if last {
			inFrame = 0
			ts += tsStep
			pictureID = (pictureID + 1) & 0x7fff
		}
	}
	// The rate is kept against the wall clock, not by counting ticks: a busy machine drops ticks, and a load test
	// must still send what it claims. Packets that fell behind go out at the next tick (at most maxBurst at once).
	start := time.Now()
	var sent int64
	maxBurst := int64(max(s.cfg.packetRate/10, 1))
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.stop:
			return
		case now := <-ticker.C:
			due := int64(now.Sub(start)*time.Duration(s.cfg.packetRate)/time.Second) + 1 - sent
			if due > maxBurst {
				// Too far behind (a stall): skip what cannot be sent in time rather than flooding.
				sent += due - maxBurst
				due = maxBurst
			}
			for ; due > 0; due-- {
				send(now)
				sent++
			}
		}
	}
}

func (s *SyntheticSource) payload(first, keyframe bool, pictureID uint16, ts temporalState) []byte {
	if s.kind == domain.MediaKindVideo {
		return vp8Payload(vp8Frame{first: first, keyframe: keyframe, pictureID: pictureID, temporal: s.cfg.temporalLayers > 1,
			tid: ts.tid, tl0: ts.tl0, layerSync: ts.sync, width: s.cfg.width, height: s.cfg.height}, s.cfg.payloadSize)
	}
	p := make([]byte, s.cfg.payloadSize)
	p[0] = 0xfc // Opus TOC (RFC 6716 §3.1): config 31 (CELT FB 20 ms), stereo, one frame
	return p
}

// vp8TemporalPatterns are libvpx's temporal layering by number of layers: the TID of each frame of the period, and
// whether the frame depends on the base layer only (the Y bit). L1T3 is 0 2 1 2: the second and third frames refer
// to the first, the fourth to the third.
var vp8TemporalPatterns = [][]struct {
	tid  uint8
	sync bool
}{
	{{0, false}},
	{{0, false}, {1, true}},
	{{0, false}, {2, true}, {1, true}, {2, false}},
}

// temporalState is where a video source is in its temporal pattern.
type temporalState struct {
	pos, frames int
	tid, tl0    uint8
	sync        bool
}

// next advances to the next frame; a keyframe restarts the pattern (it is a base-layer frame).
func (t *temporalState) next(layers int, keyframe bool) {
	pattern := vp8TemporalPatterns[layers-1]
	if t.frames > 0 {
		t.pos = (t.pos + 1) % len(pattern)
	}
	if keyframe {
		t.pos = 0
	}
	if pattern[t.pos].tid == 0 && t.frames > 0 {
		t.tl0++
	}
	t.frames++
	t.tid, t.sync = pattern[t.pos].tid, pattern[t.pos].sync
}
