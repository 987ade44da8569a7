//go:build unix

package sfu

import (
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// detachSink turns conn into a sink: the socket stays bound (through a duplicate descriptor, closed at cleanup)
// but leaves Go's netpoller. A socket in the netpoller costs every datagram that reaches it an epoll wakeup of
// an idle thread, charged partly to the sender: a remote browser costs nothing of the kind.
func detachSink(tb testing.TB, conn *net.UDPConn) {
	tb.Helper()
	require.NoError(tb, conn.SetReadBuffer(sinkReadBuffer))
	raw, err := conn.SyscallConn()
	require.NoError(tb, err)
	dup := -1
	require.NoError(tb, raw.Control(func(fd uintptr) { dup, err = syscall.Dup(int(fd)) }))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = syscall.Close(dup) })
	require.NoError(tb, conn.Close())
}

func threadCPUNanos() int64  { return cpuNanos(unix.CLOCK_THREAD_CPUTIME_ID) }
func processCPUNanos() int64 { return cpuNanos(unix.CLOCK_PROCESS_CPUTIME_ID) }

func cpuNanos(clock int32) int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(clock, &ts) // cannot fail for these clocks
	return ts.Nano()
}
