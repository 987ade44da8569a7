//go:build linux

// This file is raw system calls and kernel structures: every unsafe.Pointer points into Go memory that stays
// alive (and, Go's heap being non-moving, in place) for the call.
//
//nolint:gosec // G103, audited as said above
package webrtctransport

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/sockstat"
)

// muxSocket is the Mux's UDP socket, taken out of Go's netpoller: the read goroutine blocks in recvmsg(2) and
// every send is a plain sendto(2) or, for a Batch, one sendmmsg(2).
//
// Why: Go registers its sockets for EPOLLOUT too, edge-triggered, and Linux signals a UDP socket writable again
// each time one of its sent datagrams is freed. A socket that sends ~100,000 packets/s then wakes the runtime's
// epoll thread for nearly every packet, only for it to find nothing to do: 40-50% more CPU than the forwarding
// itself (measured in BenchmarkSFUFanout, docs/BENCHMARKS.md). A socket that is not in epoll wakes nobody.
//
// Lifetime: life guards the descriptor. Every system call holds it shared; close shuts the socket down (which
// wakes a blocked recvmsg; the receive timeout bounds the wait should it not), then takes it exclusively and
// closes the descriptor, so no call can ever reach a recycled descriptor number.
type muxSocket struct {
	fd     int
	v6     bool // AF_INET6 (IPv4 peers as v4-mapped addresses)
	closed atomic.Bool
	life   sync.RWMutex
}

// readTimeout bounds a blocked recvmsg, so that close never waits longer for the read goroutine.
const readTimeout = 250 * time.Millisecond

// newMuxSocket takes conn's socket over: a blocking duplicate of its descriptor, conn itself closed (which takes
// it out of the netpoller).
func newMuxSocket(conn *net.UDPConn) (*muxSocket, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("webrtctransport: socket: %w", err)
	}
	fd, dupErr := -1, error(nil)
	if err := raw.Control(func(s uintptr) { fd, dupErr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return nil, fmt.Errorf("webrtctransport: socket: %w", err)
	}
	if dupErr != nil {
		return nil, fmt.Errorf("webrtctransport: dup socket: %w", dupErr)
	}
	_ = conn.Close()
	s := &muxSocket{fd: fd}
	domain, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err == nil {
		s.v6 = domain == unix.AF_INET6
		err = unix.SetNonblock(fd, false)
	}
	if err == nil {
		tv := unix.NsecToTimeval(int64(readTimeout))
		err = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	}
	if err == nil {
		// Receive timestamps (see arrivalOf); a kernel that refuses leaves readFrom's stamp 0 and the read time
		// stands in.
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}
	if err != nil {
		_ = unix.Close(fd)
		return nil, fmt.Errorf("webrtctransport: socket setup: %w", err)
	}
	return s, nil
}

// receiveDrops is the kernel's count of datagrams dropped on the socket for want of buffer room.
func (s *muxSocket) receiveDrops() (uint64, error) {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed.Load() {
		return 0, net.ErrClosed
	}
	return sockstat.ReceiveDrops(uintptr(s.fd))
}

// readFrom receives one datagram into b with recvmsg(2); stamp is the kernel's receive time of it
// (SO_TIMESTAMPNS, wall clock in Unix nanoseconds), 0 when the kernel gave none. net.ErrClosed once closed. Read
// goroutine only (it uses rx's scratch).
func (s *muxSocket) readFrom(b []byte, rx *rxState) (n int, src netip.AddrPort, stamp int64, err error) {
	sys := &rx.sys
	for {
		s.life.RLock()
		if s.closed.Load() {
			s.life.RUnlock()
			return 0, netip.AddrPort{}, 0, net.ErrClosed
		}
		sys.iov.Base = unsafe.SliceData(b)
		sys.iov.SetLen(len(b))
		sys.hdr = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&sys.from)), Namelen: uint32(unsafe.Sizeof(sys.from)),
			Iov: &sys.iov, Control: &sys.control[0]}
		sys.hdr.SetIovlen(1)
		sys.hdr.SetControllen(len(sys.control))
		r, _, errno := unix.Syscall(unix.SYS_RECVMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&sys.hdr)), 0)
		s.life.RUnlock()
		switch errno {
		case 0:
		case unix.EINTR, unix.EAGAIN: // a signal, or the receive timeout: look at closed again
			continue
		default:
			return 0, netip.AddrPort{}, 0, fmt.Errorf("webrtctransport: recvmsg: %w", errno)
		}
		if s.closed.Load() {
			return 0, netip.AddrPort{}, 0, net.ErrClosed // woken by close's shutdown
		}
		src, ok := sockaddrAddrPort(&sys.from)
		if !ok {
			continue // not an internet address: cannot be a peer
		}
		return int(r), src, sys.stamp(), nil
	}
}

// writeTo sends one datagram.
func (s *muxSocket) writeTo(b []byte, dst netip.AddrPort) error {
	var sa unix.RawSockaddrInet6
	salen := putSockaddr(&sa, dst, s.v6)
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed.Load() {
		return net.ErrClosed
	}
	for {
		_, _, errno := unix.Syscall6(unix.SYS_SENDTO, uintptr(s.fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))),
			uintptr(len(b)), 0, uintptr(unsafe.Pointer(&sa)), uintptr(salen))
		switch errno {
		case 0:
			return nil
		case unix.EINTR:
			continue
		default:
			return fmt.Errorf("webrtctransport: sendto: %w", errno)
		}
	}
}

// writeBatch sends b's slots [from, to) with one sendmmsg and reports how many the kernel took; when that is
// not all, err says why the next one was refused.
func (s *muxSocket) writeBatch(b *Batch, from, to int) (int, error) {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed.Load() {
		return 0, net.ErrClosed
	}
	for {
		n, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&b.sys.hdrs[from])),
			uintptr(to-from), 0, 0, 0)
		switch errno {
		case 0:
			return int(n), nil
		case unix.EINTR:
			continue
		default:
			return 0, fmt.Errorf("webrtctransport: sendmmsg: %w", errno)
		}
	}
}

// close shuts the socket down, waits for the system calls in progress and frees the descriptor. Idempotent.
func (s *muxSocket) close() error {
	if s.closed.Swap(true) {
		return nil
	}
	_ = unix.Shutdown(s.fd, unix.SHUT_RDWR) // ENOTCONN on UDP, but blocked readers wake all the same
	s.life.Lock()
	defer s.life.Unlock()
	if err := unix.Close(s.fd); err != nil {
		return fmt.Errorf("webrtctransport: close socket: %w", err)
	}
	return nil
}

// rxSys is the read goroutine's scratch for recvmsg: the header, the source address, and room for the
// SCM_TIMESTAMPNS control message (a cmsghdr and a timespec, with slack for any other the kernel adds).
type rxSys struct {
	hdr     unix.Msghdr
	iov     unix.Iovec
	from    unix.RawSockaddrAny
	control [128]byte
}

// stamp finds SCM_TIMESTAMPNS among the control messages recvmsg returned (walked in place: the x/sys/unix
// parser allocates); 0 without one.
func (sys *rxSys) stamp() int64 {
	ctrl := sys.control[:min(int(sys.hdr.Controllen), len(sys.control))] //nolint:gosec // bounded by the buffer
	for len(ctrl) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&ctrl[0]))
		if h.Len < unix.SizeofCmsghdr || int(h.Len) > len(ctrl) { //nolint:gosec // compared with a length
			return 0
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS &&
			int(h.Len) >= unix.CmsgLen(int(unsafe.Sizeof(unix.Timespec{}))) { //nolint:gosec // compared with a length
			ts := (*unix.Timespec)(unsafe.Pointer(&ctrl[unix.CmsgLen(0)]))
			return ts.Nano()
		}
		ctrl = ctrl[min(unix.CmsgSpace(int(h.Len)-unix.CmsgLen(0)), len(ctrl)):] //nolint:gosec // h.Len ≤ len(ctrl)
	}
	return 0
}

// batchSys is what sendmmsg reads: one header per slot, pointing at the slot's address and data.
type batchSys struct {
	hdrs  [BatchSize]mmsghdr
	addrs [BatchSize]unix.RawSockaddrInet6
	iovs  [BatchSize]unix.Iovec
}

// mmsghdr is struct mmsghdr; Go pads it to Msghdr's alignment as C does.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// set points header i at data for dst.
func (bs *batchSys) set(i int, data []byte, dst netip.AddrPort, v6 bool) {
	salen := putSockaddr(&bs.addrs[i], dst, v6)
	bs.iovs[i].Base = unsafe.SliceData(data)
	bs.iovs[i].SetLen(len(data))
	h := &bs.hdrs[i].hdr
	h.Name = (*byte)(unsafe.Pointer(&bs.addrs[i]))
	h.Namelen = salen
	h.Iov = &bs.iovs[i]
	h.SetIovlen(1)
}

// clear drops the references to slot i's data (a pooled batch keeps nothing alive).
func (bs *batchSys) clear(i int) { bs.iovs[i].Base = nil }

// putSockaddr writes dst as a sockaddr_in (or, on an AF_INET6 socket, a sockaddr_in6, IPv4 as v4-mapped) into
// sa's memory and returns its length.
func putSockaddr(sa *unix.RawSockaddrInet6, dst netip.AddrPort, v6 bool) uint32 {
	port := dst.Port()
	if !v6 {
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		sa4.Family = unix.AF_INET
		putPort(&sa4.Port, port)
		sa4.Addr = dst.Addr().Unmap().As4()
		return unix.SizeofSockaddrInet4
	}
	sa.Family = unix.AF_INET6
	putPort(&sa.Port, port)
	sa.Flowinfo, sa.Scope_id = 0, 0
	sa.Addr = dst.Addr().As16() // an IPv4 address becomes ::ffff:a.b.c.d
	return unix.SizeofSockaddrInet6
}

// sockaddrAddrPort reads a received source address (IPv4-mapped IPv6 as plain IPv4).
func sockaddrAddrPort(sa *unix.RawSockaddrAny) (netip.AddrPort, bool) {
	switch sa.Addr.Family {
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), getPort(&sa4.Port)), true
	case unix.AF_INET6:
		sa6 := (*unix.RawSockaddrInet6)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom16(sa6.Addr).Unmap(), getPort(&sa6.Port)), true
	default:
		return netip.AddrPort{}, false
	}
}

// Ports are in network byte order in a sockaddr.
func putPort(p *uint16, port uint16) {
	b := (*[2]byte)(unsafe.Pointer(p))
	b[0], b[1] = byte(port>>8), byte(port)
}

func getPort(p *uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(p))
	return uint16(b[0])<<8 | uint16(b[1])
}
