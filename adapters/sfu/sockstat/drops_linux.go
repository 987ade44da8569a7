//go:build linux

package sockstat

import (
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ReceiveDrops returns how many datagrams the kernel dropped on socket fd for want of receive-buffer room
// (getsockopt SO_MEMINFO, SK_MEMINFO_DROPS: the "drops" column of /proc/net/udp).
func ReceiveDrops(fd uintptr) (uint64, error) {
	var info [unix.SK_MEMINFO_VARS]uint32
	size := uint32(unsafe.Sizeof(info))
	// x/sys/unix has no getter for an array option; info and size are Go memory alive for the call.
	_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO,
		uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&size)), 0) //nolint:gosec // G103, see above
	if errno != 0 {
		return 0, fmt.Errorf("sockstat: SO_MEMINFO: %w", errno)
	}
	if size < (unix.SK_MEMINFO_DROPS+1)*4 {
		return 0, fmt.Errorf("sockstat: SO_MEMINFO answered %d bytes: %w", size, ErrUnsupported)
	}
	return uint64(info[unix.SK_MEMINFO_DROPS]), nil
}

// ConnDrops is ReceiveDrops for a socket of Go's net package.
func ConnDrops(c syscall.Conn) (uint64, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("sockstat: %w", err)
	}
	var (
		drops   uint64
		dropErr error
	)
	if err := raw.Control(func(fd uintptr) { drops, dropErr = ReceiveDrops(fd) }); err != nil {
		return 0, fmt.Errorf("sockstat: %w", err)
	}
	return drops, dropErr
}
