package sfu

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// GetProducerStats returns a producer's inbound streams in mediasoup's getStats() shape, one per encoding.
func (n *Node) GetProducerStats(ctx context.Context, producerID string) ([]application.RtpStreamStats, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n.mu.Lock()
	p, ok := n.producers[producerID]
	n.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: %s", domain.ErrProducerNotFound, producerID)
	}
	return p.inboundStats(time.Now().UnixMilli()), nil
}

// GetConsumerStats returns a WebRTC consumer's outbound stream, then its producer's inbound streams.
func (n *Node) GetConsumerStats(ctx context.Context, consumerID string) ([]application.RtpStreamStats, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n.mu.Lock()
	c, ok := n.consumers[consumerID]
	n.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: %s", domain.ErrConsumerNotFound, consumerID)
	}
	ts := time.Now().UnixMilli()
	return append([]application.RtpStreamStats{c.outboundStats(ts)}, c.producer.inboundStats(ts)...), nil
}

func (p *producer) inboundStats(ts int64) []application.RtpStreamStats {
	mime := ""
	if len(p.consumable.Codecs) > 0 {
		mime = p.consumable.Codecs[0].MimeType
	}
	out := make([]application.RtpStreamStats, 0, len(p.encs))
	for _, e := range p.encs {
		s := application.RtpStreamStats{Type: application.StatsTypeInboundRtp, Timestamp: ts, SSRC: e.mediaSSRC.Load(),
			RtxSSRC: e.rtxSSRC.Load(), RID: e.rid, Kind: p.kind, MimeType: mime,
			NackCount: e.nackCount.Load(), NackPacketCount: e.nackPacketCount.Load(), PliCount: e.pliCount.Load()}
		for i := range e.bitrate {
			b := e.bitrate[i].Load()
			s.Bitrate += b
			if p.simulcast && i < max(e.temporalLayers, 1) {
				if s.BitrateByLayer == nil {
					s.BitrateByLayer = map[string]uint64{}
				}
				s.BitrateByLayer[strconv.Itoa(i)] = b
			}
		}
		p.rxMu.Lock()
		r := &e.recv
		s.PacketCount, s.ByteCount, s.PacketsLost = uint64(r.received), r.octets, uint64(r.lost)
		s.FractionLost, s.Jitter, s.Score = r.lastFraction, uint32(r.jitter), int(r.score.current())
		p.rxMu.Unlock()
		out = append(out, s)
	}
	if len(p.encs) == 1 {
		out[0].PacketsRetransmitted = p.counters.rtxPackets.Load()
	}
	return out
}

// score is the best score of the producer's encodings that receive (simulcast: its top layer still arriving).
func (p *producer) score() int {
	best := -1
	p.rxMu.Lock()
	defer p.rxMu.Unlock()
	for _, e := range p.encs {
		if e.recv.started {
			best = max(best, int(e.recv.score.current()))
		}
	}
	return best
}

func (c *consumer) outboundStats(ts int64) application.RtpStreamStats {
	s := application.RtpStreamStats{Type: application.StatsTypeOutboundRtp, Timestamp: ts, SSRC: c.ssrc, RtxSSRC: c.rtxSSRC,
		Kind: c.kind, PacketCount: c.counters.packets.Load(), ByteCount: c.counters.bytes.Load(), Bitrate: c.fb.rate.bps.Load(),
		PacketsRetransmitted: c.counters.retransmitted.Load(), NackCount: c.fb.nacks.Load(),
		NackPacketCount: c.counters.nacks.Load(), PliCount: c.fb.plis.Load(), FirCount: c.fb.firs.Load()}
	if len(c.params.Codecs) > 0 {
		s.MimeType = c.params.Codecs[0].MimeType
	}
	c.mu.Lock()
	s.PacketsLost, s.FractionLost, s.Jitter = uint64(c.lastRR.TotalLost), c.lastRR.FractionLost, c.lastRR.Jitter
	s.Score = int(c.fb.score.current())
	if c.fb.rttAt != 0 {
		rtt := float64(c.fb.rtt) / float64(time.Millisecond)
		s.RoundTripTime = &rtt
	}
	c.mu.Unlock()
	return s
}
