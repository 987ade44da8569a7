// Package stats holds the load tool's arithmetic, apart from any network or clock so that it can be tested on
// fixed inputs: percentiles of latencies, packet loss from RTP sequence numbers, rates, and the RESULT line.
//
// Values that cannot be measured (no samples, no CPU reading) are NaN rather than 0: a zero would read as a
// perfect result, NaN reads as "not measured" and still parses as a float.
package stats
