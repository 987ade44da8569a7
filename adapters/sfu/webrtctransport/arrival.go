package webrtctransport

import "time"

// maxArrivalAge bounds how far back a kernel receive time may place a packet: a datagram that waited longer
// in the socket (or a wall clock that stepped between the kernel's stamp and the read) gets the read time.
const maxArrivalAge = 5 * time.Second

// arrivalOf is when a datagram reached the host: the kernel's receive time (stamp, wall clock in Unix
// nanoseconds, see muxSocket.readFrom) on the monotonic clock, so that a read goroutine that was starved or busy
// does not make packets look late (transport-cc feedback reports these times to the sender's congestion
// controller, which reads growing delay as congestion). stamp 0 (no kernel time) gives the read time.
func arrivalOf(stamp int64) time.Time {
	now := time.Now()
	if stamp == 0 {
		return now
	}
	age := time.Duration(now.UnixNano() - stamp)
	if age <= 0 || age > maxArrivalAge {
		return now
	}
	return now.Add(-age) // keeps now's monotonic reading
}
