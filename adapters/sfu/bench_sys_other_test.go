//go:build !unix

package sfu

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// Without unix clocks and descriptors, sinks stay in the netpoller and "CPU time" is wall time.

func detachSink(tb testing.TB, conn *net.UDPConn) {
	tb.Helper()
	require.NoError(tb, conn.SetReadBuffer(sinkReadBuffer))
}

func threadCPUNanos() int64  { return nanotime() }
func processCPUNanos() int64 { return nanotime() }
