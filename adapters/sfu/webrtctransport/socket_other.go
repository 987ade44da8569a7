//go:build !linux

package webrtctransport

import (
	"net"
	"net/netip"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/sockstat"
)

// muxSocket is the Mux's UDP socket. Elsewhere than Linux it stays a net.UDPConn in Go's netpoller, and a Batch
// is sent packet by packet (see socket_linux.go for why Linux differs).
type muxSocket struct {
	conn *net.UDPConn
	v6   bool // unused here
}

func newMuxSocket(conn *net.UDPConn) (*muxSocket, error) { return &muxSocket{conn: conn}, nil }

// readFrom reads one datagram; no kernel receive time here (stamp 0: the read time stands in).
func (s *muxSocket) readFrom(b []byte, _ *rxState) (int, netip.AddrPort, int64, error) {
	n, src, err := s.conn.ReadFromUDPAddrPort(b)
	return n, src, 0, err
}

func (s *muxSocket) writeTo(b []byte, dst netip.AddrPort) error {
	_, err := s.conn.WriteToUDPAddrPort(b, dst)
	return err
}

func (s *muxSocket) writeBatch(b *Batch, from, to int) (int, error) {
	for i := from; i < to; i++ {
		if err := s.writeTo(b.slots[i].data, b.slots[i].dst); err != nil {
			return i - from, err
		}
	}
	return to - from, nil
}

func (s *muxSocket) close() error { return s.conn.Close() }

func (s *muxSocket) receiveDrops() (uint64, error) { return sockstat.ConnDrops(s.conn) }

// batchSys and rxSys hold what the Linux system calls need; nothing here.
type (
	batchSys struct{}
	rxSys    struct{}
)

func (*batchSys) set(int, []byte, netip.AddrPort, bool) {}
func (*batchSys) clear(int)                             {}
