// Package rtpx holds the allocation-free RTP and RTCP primitives of the SFU's forwarding path: a header parser
// that records where things are instead of copying them, keyframe detection for the codecs the SFU routes,
// sequence-number arithmetic, and builders for the few RTCP packets the SFU sends per packet or per request.
// pion/rtp and pion/rtcp stay the reference for everything else (and for the tests); they allocate per packet,
// which the fan-out path cannot afford.
package rtpx
