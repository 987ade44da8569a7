package client

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// maxRecordedSeqs bounds the sequence numbers a consumer keeps for gap checks (about 11 minutes of 100 pkt/s video).
const maxRecordedSeqs = 1 << 16

// Consumer receives one server consumer's track and counts what arrives. It lives until its transport closes.
type Consumer struct {
	id, producerID string
	kind           domain.MediaKind
	typ            string
	mid            string
	ssrc           uint32
	rtpParameters  domain.RtpParameters
	pc             *webrtc.PeerConnection
	isVP8          bool

	mu    sync.Mutex
	st    ConsumerStats
	seqs  []uint16
	base  int64 // extended sequence number of the first packet
	high  int64 // highest extended sequence number
	track *webrtc.TrackRemote
}

// ConsumerStats is a snapshot of what a consumer received.
type ConsumerStats struct {
	Packets       uint64
	Bytes         uint64 // RTP packets as received after SRTP decryption: header + payload
	FirstPacketAt time.Time
	LastPacketAt  time.Time
	SSRCs         []uint32 // distinct, in order of arrival
	PayloadTypes  []uint8  // distinct, in order of arrival
	Keyframes     uint64   // VP8 only: first packets of keyframes
	Frames        uint64   // packets with the RTP marker bit: the last packet of each video frame
	// VP8 only: the size the last keyframe announced (a simulcast consumer's layer shows in it), and packets by
	// the temporal layer (TID) of their payload descriptor (all in [0] when the stream has no TID).
	Width, Height int
	PacketsByTID  [4]uint64
	Lost          int64 // sequence numbers missing between the first and the highest (a duplicate hides one loss)
	Ended         bool  // the track ended (transport closed)
}

func newConsumer(info ConsumerInfo, mid string, pc *webrtc.PeerConnection) *Consumer {
	p := info.RtpParameters
	return &Consumer{
		id: info.ID, producerID: info.ProducerID, kind: info.Kind, typ: info.Type, mid: mid, ssrc: p.Encodings[0].SSRC,
		rtpParameters: p, pc: pc, isVP8: strings.EqualFold(p.Codecs[0].MimeType, mimeVP8),
	}
}

// ID is the server's consumer id.
func (c *Consumer) ID() string { return c.id }

// ProducerID is the producer it consumes.
func (c *Consumer) ProducerID() string { return c.producerID }

// Kind is audio or video.
func (c *Consumer) Kind() domain.MediaKind { return c.kind }

// Type is the server's consumer type: "simple", or "simulcast" for a layered video consumer (its layers are chosen
// with API.SetPreferredLayers).
func (c *Consumer) Type() string { return c.typ }

// Mid is the consumer's section in the transport's SDP.
func (c *Consumer) Mid() string { return c.mid }

// SSRC is the server's SSRC for this consumer.
func (c *Consumer) SSRC() uint32 { return c.ssrc }

// RtpParameters are the server's consumer parameters.
func (c *Consumer) RtpParameters() domain.RtpParameters { return c.rtpParameters }

// Track is the remote track, nil until the first packet arrived.
func (c *Consumer) Track() *webrtc.TrackRemote {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.track
}

// SendPLI asks the server for a keyframe (RFC 4585 §6.3.1) for this consumer's SSRC.
func (c *Consumer) SendPLI() error {
	if err := c.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: c.ssrc}}); err != nil {
		return fmt.Errorf("client: send PLI for consumer %s: %w", c.id, err)
	}
	return nil
}

// Stats returns a snapshot.
func (c *Consumer) Stats() ConsumerStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.st
	s.SSRCs = slices.Clone(c.st.SSRCs)
	s.PayloadTypes = slices.Clone(c.st.PayloadTypes)
	return s
}

// SequenceNumbers returns the sequence numbers received so far, in arrival order (the first maxRecordedSeqs).
func (c *Consumer) SequenceNumbers() []uint16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.seqs)
}

// WaitFor polls Stats until cond holds or ctx ends; tests use it to wait for packets or a keyframe.
func (c *Consumer) WaitFor(ctx context.Context, cond func(ConsumerStats) bool) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s := c.Stats()
		if cond(s) {
			return nil
		}
		if s.Ended {
			return fmt.Errorf("client: consumer %s ended", c.id)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("client: consumer %s (%d packets): %w", c.id, s.Packets, ctx.Err())
		case <-tick.C:
		}
	}
}

// read consumes the track until it ends (the PeerConnection closed).
func (c *Consumer) read(track *webrtc.TrackRemote) {
	c.mu.Lock()
	c.track = track
	c.mu.Unlock()
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	for {
		n, _, err := track.Read(buf)
		if err != nil {
			c.mu.Lock()
			c.st.Ended = true
			c.mu.Unlock()
			return
		}
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			continue
		}
		c.record(&pkt, n, time.Now())
	}
}

// record updates the counters with one packet.
func (c *Consumer) record(pkt *rtp.Packet, size int, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.st.Packets == 0 {
		c.st.FirstPacketAt = now
		c.base, c.high = int64(pkt.SequenceNumber), int64(pkt.SequenceNumber)
	} else {
		// Extend the 16-bit sequence number against the highest seen (RFC 3550 A.1).
		ext := c.high + int64(int16(pkt.SequenceNumber-uint16(c.high)))
		c.high = max(c.high, ext)
		c.base = min(c.base, ext)
	}
	c.st.Packets++
	c.st.Bytes += uint64(size)
	c.st.LastPacketAt = now
	if pkt.Marker {
		c.st.Frames++
	}
	if !slices.Contains(c.st.SSRCs, pkt.SSRC) {
		c.st.SSRCs = append(c.st.SSRCs, pkt.SSRC)
	}
	if !slices.Contains(c.st.PayloadTypes, pkt.PayloadType) {
		c.st.PayloadTypes = append(c.st.PayloadTypes, pkt.PayloadType)
	}
	if c.isVP8 {
		if info, ok := parseVP8(pkt.Payload); ok {
			if info.keyframe {
				c.st.Keyframes++
				if info.width > 0 {
					c.st.Width, c.st.Height = info.width, info.height
				}
			}
			c.st.PacketsByTID[info.tid&3]++
		}
	}
	if len(c.seqs) < maxRecordedSeqs {
		c.seqs = append(c.seqs, pkt.SequenceNumber)
	}
	c.st.Lost = max(0, c.high-c.base+1-int64(c.st.Packets))
}
