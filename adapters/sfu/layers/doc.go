// Package layers holds what a simulcast consumer decides and rewrites per packet, without I/O: which spatial
// and temporal layer to send (Selector), and how to keep one continuous stream across switches and dropped
// packets (SeqRewriter for sequence numbers, VP8Rewriter for the VP8 picture ID and TL0PICIDX, ParseVP8 for
// the payload descriptor). Everything is allocation-free and not safe for concurrent use: the consumer's mutex
// guards it. mediasoup's SimulcastConsumer and Codecs::VP8 are the reference for the semantics.
package layers
