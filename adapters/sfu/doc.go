// Package sfu is a slave's media engine: routers, WebRTC transports, producers, consumers and pipe transports,
// in mediasoup v3's model and JSON shapes. Node implements application.SFUNode; the master chooses every id.
//
// Layering (one concept per file):
//
//	Node (node*.go)            control plane: maps of routers, transports, producers, consumers, pipes; one mutex
//	 ├─ webrtcTransport        a webrtctransport.Transport (ICE-lite/DTLS/SRTP on the node's shared UDP socket)
//	 ├─ pipeTransport          a pipetransport.Transport (plain or SRTP RTP/RTCP to another slave)
//	 │   both embed endpoint   the SSRC tables that route what arrives to producers (RTP, SR) and consumers (RTCP);
//	 │                         SSRCs of simulcast layers sent by RID are learned from their first packets (ridlearn.go)
//	 ├─ producer               receives one stream of one or more encodings (simulcast: a spatial layer each, by
//	 │                         SSRC or RID): maps PTs to the router's and, per encoding, caches packets for NACK,
//	 │                         detects keyframes, asks upstream for keyframes and retransmissions, measures bitrate
//	 │                         per temporal layer and whether the encoding is active; fans out to consumers
//	 └─ consumer               rewrites SSRC, PT, sequence numbers, timestamps and header extensions for one
//	                           receiver (a browser, or the far end of a pipe), answers its NACKs and PLIs. A
//	                           consumer of a simulcast producer (consumer_simulcast.go) sends one layer at a time,
//	                           chosen and rewritten by package layers (selector; seq, VP8 picture ID/TL0PICIDX);
//	                           a pipe consumer sends every encoding with its router SSRC, or only those a viewer on
//	                           the far slave needs (pipe_layers.go: the far slave asks over the pipe's RTCP)
//	 downlink (per WebRTC transport): send_estimate.go stamps every packet of a consumer that negotiated
//	                           transport-cc with the transport's next transport-wide sequence number (package bwe:
//	                           a lock-free send history; the viewer's feedback and REMB feed its estimator);
//	                           allocation.go shares the estimate among the transport's consumers every 100 ms and
//	                           caps each simulcast consumer's layers (down at once, up after 3 s); probe.go sends
//	                           RTX padding when a higher layer would fit only with a higher estimate;
//	                           incoming_cap.go tells publishers MaxIncomingBitrate by REMB
//
// Threading: the media path runs on the transports' read goroutines (the Mux goroutine for every WebRTC transport,
// one goroutine per pipe) and takes no context, no node lock and allocates nothing per forwarded packet: SSRC
// tables and consumer lists are copy-on-write snapshots, and each producer and consumer has its own small mutex
// and preallocated buffers. A fan-out (fanout.go) builds what WebRTC consumers send straight into a
// webrtctransport.Batch, encrypted in place and sent with one system call per 64 receivers. The node's media
// totals (media_totals.go) are atomics next to the endpoints' counters. Control calls take ctx first, are safe for concurrent use, and serialise on the
// node's mutex. One report goroutine per node sends RTCP (receiver and sender reports, NACKs, delayed keyframe
// requests, REMB caps), runs the downlink allocation and paces probes.
//
// Lifecycles: every object is new → (connected) → closed and never reused. Closing cascades downwards: router →
// transports → producers → consumers; closing a producer closes its consumers and its copies on other slaves
// (RTCP BYE over the pipe). A WebRTC transport that dies on the media side (ICE consent lost, DTLS failure) is
// closed here and reported through NodeConfig.OnTransportClosed so the master's records follow.
package sfu
