package sfu

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestParallelFanoutDeliversEveryPacketOnceInOrder: a fan-out large enough to be split reaches every consumer
// once per packet, in order, whether workers take the parts or (none idle) the reader does them all.
func TestParallelFanoutDeliversEveryPacketOnceInOrder(t *testing.T) {
	b := loadBrowser(t)
	pools := map[string]func(t *testing.T) *fanoutPool{
		"workers take parts": func(t *testing.T) *fanoutPool {
			p := newFanoutPool(3)
			t.Cleanup(p.close)
			return p
		},
		// No goroutine ever receives: every hand-over fails and the reader runs every part itself.
		"no worker idle": func(*testing.T) *fanoutPool {
			return &fanoutPool{jobs: make(chan *fanoutPart), quit: make(chan struct{}), n: 3}
		},
	}
	for name, newPool := range pools {
		t.Run(name, func(t *testing.T) {
			params := b.audioParams()
			r := newRig(t, domain.MediaKindAudio, params)
			r.prod.pool = newPool(t)
			const consumers, packets = 2*parallelFanoutMin + 7, 40
			bySSRC := map[uint32]int{}
			for range consumers {
				c := r.consume(t, b.RecvRtpCapabilities, true)
				bySSRC[c.ssrc] = 0
			}
			ssrc := params.Encodings[0].SSRC
			for i := range packets {
				r.send(browserPacket(t, 111, ssrc, uint16(1000+i), uint32(5000+960*i), []byte{0xFC, byte(i)}, nil))
			}
			got := r.down.takeRTP(t)
			require.Len(t, got, consumers*packets)
			next := map[uint32]uint16{}
			for _, p := range got {
				n, known := bySSRC[p.SSRC]
				require.True(t, known, "ssrc %d is no consumer's", p.SSRC)
				if n > 0 {
					require.Equal(t, next[p.SSRC], p.SequenceNumber, "consumer %d: out of order", p.SSRC)
				}
				require.Equal(t, byte(n), p.Payload[1])
				next[p.SSRC] = p.SequenceNumber + 1
				bySSRC[p.SSRC] = n + 1
			}
			for ssrc, n := range bySSRC {
				require.Equal(t, packets, n, "consumer %d", ssrc)
			}
			if name == "workers take parts" {
				require.NotZero(t, r.prod.pool.handed.Load(), "idle workers took parts")
			} else {
				require.Zero(t, r.prod.pool.handed.Load())
			}
			for i := range r.prod.parts {
				require.Nil(t, r.prod.parts[i].consumers, "no part keeps consumers between packets")
			}
		})
	}
}

func TestFanoutWorkersConfig(t *testing.T) {
	require.Equal(t, defaultFanoutWorkers(), fanoutWorkers(NodeConfig{}))
	require.Equal(t, 0, fanoutWorkers(NodeConfig{FanoutWorkers: -1}))
	require.Equal(t, 4, fanoutWorkers(NodeConfig{FanoutWorkers: 4}))
	require.Nil(t, newFanoutPool(0))
	var nilPool *fanoutPool
	nilPool.close() // a node on one core has none; Close must not care
}
