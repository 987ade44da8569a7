package sfu

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/pion/rtcp"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/pipetransport"
	"github.com/sfu-cluster/sfu-cluster/application"
)

// pipeTransport is this node's end of a pipe between two routers on two slaves: a pipetransport.Transport,
// the endpoint that routes its packets, the local producers it carries away (pipe consumers) and the remote
// producers it brings in (pipe producers, with the source's producer ids).
//
// Lifecycle: new (tuple and SRTP key handed out) → connected (the master gave the remote's) → closed, never
// reused.
//
// What crosses the pipe besides media. Streams are identified by the source router's mapped SSRC, the same on
// both ends. Backwards: PLI/FIR and NACK, as for any consumer. Forwards, with RTCP, decided here rather than
// through extra master calls: an RTCP BYE for the SSRC when the source producer closes (the copy closes with
// its consumers), and an APP packet (name "SFUP", one 32-bit word: 1 paused, 0 resumed) when the source producer
// is paused or resumed, repeated every report interval so a lost one heals. Simulcast layers: see pipe_layers.go. The master pauses producers on the
// source slave only; the copies follow.
type pipeTransport struct {
	*endpoint
	router    *router
	link      pipeLink
	connected atomic.Bool
	closing   atomic.Bool
	// sctp is the pipe's data channel end, made by the first data call or SCTP packet (node_pipe_data.go);
	// remoteTuple is the far end's "ip:port", set by ConnectPipeTransport.
	sctp        atomic.Pointer[sctpEnd]
	remoteTuple atomic.Pointer[string]

	// Guarded by Node.mu.
	producers map[string]*producer                 // pipe producers, by producer id
	consumers map[string]*consumer                 // pipe consumers, by producer id
	described map[string]application.PipedProducer // PipeConsume's answers, by producer id
}

// pipeLinkFactory opens a pipe transport's socket (pipetransport.New; tests may substitute).
type pipeLinkFactory func(cfg pipetransport.Config) (pipeLink, error)

func newPipeLink(cfg pipetransport.Config) (pipeLink, error) {
	t, err := pipetransport.New(cfg)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// pipeControlName names the APP packets carrying a producer's paused state (RFC 3550 §6.7).
const pipeControlName = "SFUP"

// sendBye tells the far end that the stream ssrc ended (RFC 3550 §6.6).
func (pt *pipeTransport) sendBye(ssrc uint32) {
	if pt.closing.Load() || !pt.connected.Load() {
		return
	}
	pt.writeRTCPPackets(&rtcp.Goodbye{Sources: []uint32{ssrc}})
}

// pauseStatePacket describes whether the stream ssrc is paused.
func pauseStatePacket(ssrc uint32, paused bool) *rtcp.ApplicationDefined {
	data := make([]byte, 4)
	if paused {
		binary.BigEndian.PutUint32(data, 1)
	}
	return &rtcp.ApplicationDefined{SSRC: ssrc, Name: pipeControlName, Data: data}
}

// onPipeControl handles the pipe's own RTCP: BYE closes a pipe producer, APP "SFUP" pauses or resumes it.
// Runs on the pipe's read goroutine.
func (n *Node) onPipeControl(pt *pipeTransport, pkts []rtcp.Packet) {
	t := pt.table.Load()
	for _, pkt := range pkts {
		switch v := pkt.(type) {
		case *rtcp.Goodbye:
			for _, ssrc := range v.Sources {
				if r, ok := t.producers[ssrc]; ok && !r.rtx {
					n.closePipeProducer(r.p)
				}
			}
		case *rtcp.ApplicationDefined:
			if len(v.Data) < 4 {
				continue
			}
			switch v.Name {
			case pipeControlName:
				if r, ok := t.producers[v.SSRC]; ok && !r.rtx {
					n.setPipeProducerPaused(r.p, binary.BigEndian.Uint32(v.Data) == 1)
					if len(v.Data) >= 8 {
						r.p.remoteActive.Store(int64(binary.BigEndian.Uint32(v.Data[4:])))
						r.p.setRemoteRates(v.Data[8:])
					}
				}
			case pipeWantName:
				if c := t.consumers[v.SSRC]; c != nil && c.layerFilter {
					c.setWanted(binary.BigEndian.Uint32(v.Data), nanotime())
				}
			}
		}
	}
}

func (n *Node) setPipeProducerPaused(p *producer, paused bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.producers[p.id] == p {
		p.setPaused(paused)
	}
}

func (n *Node) closePipeProducer(p *producer) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closeProducerLocked(p)
}
