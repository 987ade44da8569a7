package sfu

import "github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"

// fanout is one incoming packet's way to every consumer of its producer. What WebRTC consumers send gathers in
// one batch of the node's Mux, taken on the first such consumer and sent when the fan-out ends (or fills it), so
// that N receivers cost about N/webrtctransport.BatchSize system calls instead of N; each consumer builds its
// packet straight in the batch, where it is encrypted in place (one whose transport ICE moved to TCP goes to its
// connection's own bounded queue instead: a slow TCP viewer never holds the batch up). Pipe consumers send at
// once, on their own sockets.
// A fanout lives on the stack of the producer's receive path and is used by that goroutine only.
type fanout struct {
	src batchSource // nil: no batching (unit tests' endpoints)
	b   *webrtctransport.Batch
}

// batch returns the fan-out's batch, taking one from src on first use; nil without src.
func (f *fanout) batch() *webrtctransport.Batch {
	if f.b == nil && f.src != nil {
		f.b = f.src.Batch()
	}
	return f.b
}

// finish sends what the batch holds and returns it.
func (f *fanout) finish() {
	if f.b != nil {
		f.b.Release()
		f.b = nil
	}
}
