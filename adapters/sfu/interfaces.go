package sfu

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/pipetransport"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// rtpWriter is the send side of a transport: webrtctransport.Transport and pipetransport.Transport both are one.
// Both calls must be safe for concurrent use, must not retain pkt and must not block for long (they run on the
// forwarding path).
type rtpWriter interface {
	WriteRTP(pkt []byte) error
	WriteRTCP(pkt []byte) error
}

// batchWriter is a transport that can also queue RTP in a batch sent with one system call for many transports
// (webrtctransport.Transport). Same rules as rtpWriter.
type batchWriter interface {
	AppendRTP(b *webrtctransport.Batch, pkt []byte) error
}

// batchSource hands out batches for the node's WebRTC transports (the node's webrtctransport.Mux).
type batchSource interface {
	Batch() *webrtctransport.Batch
}

// pipeLink is what the engine needs of a pipe transport (adapters/sfu/pipetransport.Transport).
type pipeLink interface {
	rtpWriter
	WriteSCTP(pkt []byte) error
	LocalTuple() (ip string, port int)
	SrtpParameters() *domain.SrtpParameters
	Connect(ctx context.Context, ip string, port int, remote *domain.SrtpParameters) error
	Stats() pipetransport.Stats
	Close() error
}

// packetHandler receives a transport's decrypted packets (valid only during the call) on its read goroutine.
type packetHandler interface {
	OnRTP(pkt []byte)
	OnRTCP(pkt []byte)
}
