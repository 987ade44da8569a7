// Package sdp translates between SDP (RFC 8866, as WebRTC uses it: JSEP, RFC 8829) and the mediasoup-shaped
// parameters of the use cases: a WHIP client's offer becomes DTLS parameters and one RtpParameters per media
// section (payload types, a=extmap ids, a=ssrc and a=ssrc-group:FID for RTX, a=rid and a=simulcast), and the
// answer is written from the slave's transport (ICE-lite, candidates, fingerprint) and the codecs chosen. SDP is
// a wire format, so it lives among the adapters; parsing and writing use pion/sdp, never string splicing.
package sdp
