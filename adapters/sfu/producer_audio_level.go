package sfu

import "github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"

// audioLevels sums the RFC 6464 client-to-mixer audio levels an audio producer's packets carry, between two
// ticks of the node's audio observer (node_audio.go). On the receive path it costs one lookup among the
// packet's parsed extensions and two additions, under the producer's rxMu; nothing allocates.
type audioLevels struct {
	extID uint8 // the producer's own id of the audio-level extension; 0: not negotiated
	sum   uint32
	count uint32
}

// add records one packet's level (RFC 6464 §3: V bit, then the level as -dBov, 0..127).
func (l *audioLevels) add(pkt *rtpx.Packet) {
	if v := pkt.ExtensionValue(l.extID); len(v) > 0 {
		l.sum += uint32(v[0] & 0x7F)
		l.count++
	}
}

// takeAudioLevels returns the levels summed since the last call and starts again.
func (p *producer) takeAudioLevels() (sum uint64, count uint32) {
	p.rxMu.Lock()
	defer p.rxMu.Unlock()
	sum, count = uint64(p.levels.sum), p.levels.count
	p.levels.sum, p.levels.count = 0, 0
	return sum, count
}
