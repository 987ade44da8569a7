package sfu

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// rtpWriter is the send side of a transport: webrtctransport.Transport and pipetransport.Transport both are one.
// Both calls must be safe for concurrent use, must not retain pkt and must not block for long (they run on the
// forwarding path).
type rtpWriter interface {
	WriteRTP(pkt []byte) error
	WriteRTCP(pkt []byte) error
}

// pipeLink is what the engine needs of a pipe transport (adapters/sfu/pipetransport.Transport).
type pipeLink interface {
	rtpWriter
	LocalTuple() (ip string, port int)
	SrtpParameters() *domain.SrtpParameters
	Connect(ctx context.Context, ip string, port int, remote *domain.SrtpParameters) error
	Close() error
}

// packetHandler receives a transport's decrypted packets (valid only during the call) on its read goroutine.
type packetHandler interface {
	OnRTP(pkt []byte)
	OnRTCP(pkt []byte)
}
