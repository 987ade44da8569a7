package sfu

import (
	"encoding/binary"

	"github.com/pion/rtcp"
)

// Simulcast layers through a pipe. The pipe carries encodings, the consumer slave chooses per viewer, and only
// the encodings some viewer there needs cross the pipe:
//
//   - The producer slave's pipe consumer reports which encodings are active at the source, in the pause-state
//     APP packet ("SFUP", a second word: bit i = encoding i active; then each encoding's sustained rate per
//     temporal layer, for the allocation), at once when that changes and with every report. The copy on the consumer slave takes its encodings' activity from it, not from what arrives (an
//     encoding nobody asked for does not arrive, yet is there to be asked for).
//   - The consumer slave's pipe producer tells the producer slave which encodings it wants (APP "SFUW", one word:
//     bit i = encoding i), at once when that changes and every report interval: the union of the target and
//     current layers of its active simulcast consumers, and the encodings below the target of one that has sent
//     nothing yet (it starts at whichever keyframe comes first; every encoding if anything else consumes it).
//   - The pipe consumer sends only the wanted encodings; one wanted again restarts at a keyframe, asked for at
//     once, with its sequence numbers continuing where they stopped. Until told, it sends everything.

// pipeWantName names the APP packets carrying the encodings a consumer slave wants.
const pipeWantName = "SFUW"

// allLayers wants every encoding.
const allLayers = ^uint32(0)

func wantPacket(ssrc, mask uint32) *rtcp.ApplicationDefined {
	data := make([]byte, 4)
	binary.BigEndian.PutUint32(data, mask)
	return &rtcp.ApplicationDefined{SSRC: ssrc, Name: pipeWantName, Data: data}
}

// setWanted applies a consumer slave's wish to a pipe consumer: encodings wanted again wait for a keyframe,
// which is asked for.
func (c *consumer) setWanted(mask uint32, now int64) {
	c.mu.Lock()
	added := mask &^ c.wanted
	c.wanted = mask
	for i := range c.outs {
		if added&(1<<i) != 0 {
			c.outs[i].seq.syncRequired, c.outs[i].waitKey = true, c.producer.isVideo
		}
	}
	active := c.active
	c.mu.Unlock()
	for i := range c.outs {
		if active && added&(1<<i) != 0 {
			c.producer.requestKeyframe(i, now)
		}
	}
	// The answer tells the consumer slave the source's layers at once (it needs them to want any).
	c.ep.writeRTCPPackets(c.pauseState())
}

// pauseState is the pipe consumer's pause-state packet, with the source's active encodings when layered, then
// each encoding's sustained bit rate per temporal layer (maxTemporal words each, bit/s): the consumer slave's
// downlink allocation needs the rate of encodings no viewer there wants, which do not cross the pipe.
func (c *consumer) pauseState() *rtcp.ApplicationDefined {
	pkt := pauseStatePacket(c.ssrc, c.producer.paused.Load())
	if c.layerFilter {
		pkt.Data = binary.BigEndian.AppendUint32(pkt.Data, c.producer.activeLayers())
		for _, e := range c.producer.encs {
			for t := range e.known {
				pkt.Data = binary.BigEndian.AppendUint32(pkt.Data, uint32(min(e.known[t].Load(), 1<<32-1))) //nolint:gosec // clamped
			}
		}
	}
	return pkt
}

// setRemoteRates takes the source's encoding rates from a pause-state packet's words after the active mask
// (pauseState); a packet without them (an older slave) changes nothing.
func (p *producer) setRemoteRates(words []byte) {
	if len(words) < len(p.encs)*maxTemporal*4 {
		return
	}
	for _, e := range p.encs {
		for t := range e.known {
			e.known[t].Store(uint64(binary.BigEndian.Uint32(words)))
			words = words[4:]
		}
		e.remoteKnown.Store(true)
	}
}

// publishWantLocked records the encodings a simulcast consumer needs now (for its producer's pipe, if any).
func (c *consumer) publishWantLocked() {
	if c.sim == nil {
		return
	}
	var m uint32
	if s := c.sim; c.active {
		if t, _ := s.sel.Target(); t >= 0 {
			m |= 1 << t
			if s.sel.Starting() { // any encoding up to the target starts it (layers.Selector.Check)
				m |= 1<<t - 1
			}
		}
		if cur, _ := s.sel.Current(); cur >= 0 {
			m |= 1 << cur
		}
	}
	c.sim.want.Store(m)
}

// wantedLayers is the union of what the producer's consumers need.
func (p *producer) wantedLayers() uint32 {
	var m uint32
	for _, c := range p.consumerList() {
		if c.sim == nil {
			return allLayers
		}
		m |= c.sim.want.Load()
	}
	return m
}

// tellWantedLayers sends the consumer slave's wish upstream when it changed, and every report (a lost one heals).
func (p *producer) tellWantedLayers(full bool) {
	m := p.wantedLayers()
	if old := p.wantSent.Swap(int64(m)); old == int64(m) && !full {
		return
	}
	p.upstream.writeRTCPPackets(wantPacket(p.encs[0].mediaSSRC.Load(), m))
}

// tellWantedLayersNow is tellWantedLayers for a pipe copy when a consumer's needs may have grown (a new
// target): the wish must reach the source before the keyframe request that follows it.
func (p *producer) tellWantedLayersNow(grew bool) {
	if grew && p.viaPipe && p.simulcast {
		p.tellWantedLayers(false)
	}
}

// updateActivityLocked recomputes which encodings are active: from the source's report for a pipe copy that
// has one, else from arrivals. True when something changed.
func (p *producer) updateActivityLocked(now int64) bool {
	remote := p.remoteActive.Load()
	changed := false
	for i, e := range p.encs {
		if e.mediaSSRC.Load() == 0 {
			continue
		}
		if remote >= 0 {
			active := remote&(1<<i) != 0
			changed = e.active.Swap(active) != active || changed
			continue
		}
		changed = e.updateActivity(now) || changed
	}
	return changed
}
