// Package bwe estimates how much a WebRTC transport may send towards its receiver (send-side bandwidth
// estimation, as libwebrtc's GCC): every packet the transport sends carries a transport-wide sequence number
// (History stamps it and remembers its send time and size), the receiver's transport-cc feedback says when each
// arrived, and the Estimator turns that into an available bitrate:
//
//   - delay-based (trendline.go, aimd.go): packets are grouped in 5 ms bursts of send time; the growth of the
//     one-way delay between groups is smoothed and its slope over the last 20 groups compared with an adaptive
//     threshold (overuse / normal / underuse); an AIMD controller multiplies the rate by 1.08 per second while
//     the path is normal, adds about one packet per response time near a capacity it has seen, never grows
//     above 1.5 × the acknowledged bitrate, and cuts to 0.85 × the acknowledged bitrate on overuse;
//   - probes (probe.go): padding sent for a short window at a higher rate; what the receiver got as fast as it
//     was sent raises the estimate at once (the only way above what the media alone shows), the loss-based cap
//     included;
//   - loss-based (loss.go): once per loss report (≥ 20 packets and 500 ms of feedback), below 2 % loss the cap
//     grows 8 % per second, between 2 and 10 % it holds, above 10 % it falls by half the loss fraction, at most
//     once per 300 ms + the feedback round trip: random loss without congestion does not cut it. One loss episode
//     is cut for once: packets sent before a cut do not count towards the next report, and a cut never goes below
//     0.85 × the acknowledged bitrate (what the path delivered while it dropped), so a sender slow to slow down
//     (an SFU waiting for a lower layer's keyframe) is not cut again and again down to the minimum;
//   - the bottleneck (bottleneck.go): during a congestion episode (from an overuse or a loss report above 10 % until
//     2 s without either) the receiver's arrival rate over 250 ms windows that arrived slower than they were sent
//     is the link's capacity (a full queue delivers at its rate), as is a probe that arrived slower than sent (one
//     that arrived as fast as sent at > 1.2 × it forgets it); the prober goes no higher than 1.1 × it;
//     delay-based cuts go no lower than 0.85 × the last capacity measured (for 10 s), and Landing, what a switch down decides
//     on, is the lesser of the episode's capacity and the estimate (false until measured): a capped viewer lands
//     on the layer the cap carries in one switch, not step by step behind the falling estimate;
//   - a REMB the receiver sends caps the result (the only estimate without transport-cc feedback).
//
// Why not pion/interceptor's pkg/gcc: it is an interceptor (our transports are not interceptor chains), its
// per-packet path takes a mutex shared with the feedback handler, allocates an attributes map and parses a
// header per packet, reads time.Now, and reports rate changes on new goroutines; its pacer queues copies of every
// packet. The parts (trendline, adaptive threshold, AIMD, loss controller) are small and well documented, so
// this package writes them again around an allocation-free, lock-free History. Only the feedback path (every
// ~100 ms per transport) takes a lock and may allocate.
//
// Lifecycle: NewEstimator → OnFeedback/OnREMB (one goroutine at a time; the owner serialises them) → Estimate.
package bwe
