package application

// JoinStepBuckets are the upper bounds, in seconds, of the join timeline's histogram buckets (NodeStats.JoinSteps).
var JoinStepBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5}

// Steps of the join timeline. The first five are per WebRTC consumer, measured from its consume call; the rest
// are per keyframe request, on whichever slave asks (a consumer slave asks over the pipe, the producer slave
// asks the sender).
const (
	// JoinStepResume: consume → resume.
	JoinStepResume = "resume"
	// JoinStepICE: consume → the consumer's transport selected an ICE path (0 when it had before the consume).
	JoinStepICE = "ice_connected"
	// JoinStepDTLS: consume → its DTLS handshake done (0 when done before the consume).
	JoinStepDTLS = "dtls_connected"
	// JoinStepKeyframeRequested: consume → the consumer resumed and connected: it asks for a keyframe (video).
	JoinStepKeyframeRequested = "keyframe_requested"
	// JoinStepFirstPacket: consume → the first RTP packet sent to the viewer.
	JoinStepFirstPacket = "first_packet"
	// JoinStepKeyframeWait: a video consumer's keyframe request → its first packet sent (the keyframe).
	JoinStepKeyframeWait = "keyframe_wait"
	// JoinStepKeyframeHeld: a request the limiter held → the PLI sent for it.
	JoinStepKeyframeHeld = "keyframe_held"
	// JoinStepKeyframeFromSender: a PLI sent to a WebRTC producer → its keyframe arrived (the producer slave).
	JoinStepKeyframeFromSender = "keyframe_from_sender"
	// JoinStepKeyframeThroughPipe: a PLI sent into a pipe → the keyframe arrived through it (the consumer slave:
	// the pipe both ways, plus the producer slave's limiter and the sender).
	JoinStepKeyframeThroughPipe = "keyframe_through_pipe"
)

// JoinSteps lists the steps in the order of NodeStats.JoinSteps.
var JoinSteps = []string{
	JoinStepResume, JoinStepICE, JoinStepDTLS, JoinStepKeyframeRequested, JoinStepFirstPacket,
	JoinStepKeyframeWait, JoinStepKeyframeHeld, JoinStepKeyframeFromSender, JoinStepKeyframeThroughPipe,
}

// JoinStepHistogram is one step's durations since the node started: Buckets[i] counts those ≤
// JoinStepBuckets[i] (cumulative, as Prometheus'), Count all of them, SumSeconds their total.
type JoinStepHistogram struct {
	Step       string   `json:"step"`
	Count      uint64   `json:"count"`
	SumSeconds float64  `json:"sumSeconds"`
	Buckets    []uint64 `json:"buckets"`
}
