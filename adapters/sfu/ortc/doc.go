// Package ortc holds the RTP negotiation rules of the SFU, a Go port of mediasoup v3's ortc module
// (node/src/ortc.ts): which codecs and header extensions a router offers, how a producer's payload types map
// onto the router's, and which RtpParameters a consumer receives. It is pure: no I/O, no state, safe for
// concurrent use. Everything works on mediasoup's JSON shapes (the domain types), so an unchanged
// mediasoup-client negotiates with it. What it returns is its own copy (the domain types' Clone methods), with
// [] and {} where mediasoup-client reads them, never null.
//
// Where this package differs from mediasoup on purpose:
//   - only what the SFU implements is advertised: opus, VP8, VP9, H264 (packetization-mode 1) with RTX;
//     NACK/PLI/FIR feedback; mid, abs-send-time, transport-cc (producers, and consumers that list it) and audio-level extensions (no REMB, rid);
//   - a consumer gets the header extensions its device lists for that kind (mediasoup ignores the kind);
//   - a consumer's RTCP feedback is what the router offers and the device accepts (mediasoup takes the
//     device's list as is);
//   - simulcast producers are rejected until the SFU can demux by RID.
package ortc
