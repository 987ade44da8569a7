package sfu

import (
	"errors"
	"slices"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
)

// RID learning. Browsers send simulcast encodings by RID (RFC 8852) without announcing their SSRCs: the first
// packets of each encoding carry its rid in the rtp-stream-id header extension, its RTX packets the rid they
// repair in repaired-rtp-stream-id, and both the mid (RFC 8843). A packet of an unknown SSRC on a transport
// with such producers is matched here, with each producer's own extension ids; a match adds the SSRC to the
// transport's table (a copy-on-write update, once per SSRC), after which the SSRC routes like any other.

var errNotLearnable = errors.New("sfu: ssrc not learnable")

// learnSSRC matches pkt against the producers still learning and, on a match, routes its SSRC from now on.
// Runs on the transport's read goroutine.
func (e *endpoint) learnSSRC(pkt *rtpx.Packet, t *ssrcTable) (producerRoute, bool) {
	for _, p := range t.learning {
		enc, rtx, ok := p.matchRID(pkt)
		if !ok {
			continue
		}
		route := producerRoute{p: p, enc: uint8(enc), rtx: rtx} //nolint:gosec // < 4
		err := e.update(func(nt *ssrcTable) error {
			if !slices.Contains(nt.learning, p) || p.closed.Load() {
				return errNotLearnable
			}
			if _, taken := nt.producers[pkt.SSRC]; taken {
				return errNotLearnable
			}
			if !p.learn(enc, rtx, pkt.SSRC) {
				return errNotLearnable
			}
			nt.producers[pkt.SSRC] = route
			if !p.learnsSSRCs() {
				nt.learning = slices.DeleteFunc(nt.learning, func(x *producer) bool { return x == p })
			}
			return nil
		})
		return route, err == nil
	}
	return producerRoute{}, false
}

// matchRID finds the encoding a packet belongs to by its rid (media) or repaired rid (RTX) extension, if its
// mid (when both carry one) is the producer's.
func (p *producer) matchRID(pkt *rtpx.Packet) (enc int, rtx bool, ok bool) {
	if p.midExtID != 0 && p.mid != "" {
		if mid := pkt.ExtensionValue(p.midExtID); len(mid) > 0 && string(mid) != p.mid {
			return 0, false, false
		}
	}
	if p.ridExtID != 0 {
		if rid := pkt.ExtensionValue(p.ridExtID); len(rid) > 0 {
			return p.encodingOfRID(rid, false)
		}
	}
	if p.rridExtID != 0 {
		if rid := pkt.ExtensionValue(p.rridExtID); len(rid) > 0 {
			return p.encodingOfRID(rid, true)
		}
	}
	return 0, false, false
}

func (p *producer) encodingOfRID(rid []byte, rtx bool) (int, bool, bool) {
	for i, e := range p.encs {
		if e.rid != "" && e.rid == string(rid) {
			return i, rtx, true
		}
	}
	return 0, false, false
}

// learn records the SSRC of encoding enc (its RTX with rtx); false when that one is known already (the
// endpoint's mutex serialises calls).
func (p *producer) learn(enc int, rtx bool, ssrc uint32) bool {
	e := p.encs[enc]
	target := &e.mediaSSRC
	if rtx {
		target = &e.rtxSSRC
	}
	return target.CompareAndSwap(0, ssrc)
}
