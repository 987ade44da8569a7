package stats

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Result is what the RESULT line reports.
type Result struct {
	JoinP50Ms, JoinP95Ms               float64
	FirstPacketP50Ms, FirstPacketP95Ms float64
	LossPct                            float64
	ForwardedPPS                       float64 // packets received by all subscribers per second in the window
	SlaveCPUSeconds                    float64 // CPU-seconds the slave processes used in the window
	PPSPerCore                         float64
	// The cluster's share (cmd/loadtest/join_share.go): of the join, the master's handler time; of the first
	// packet, that plus the wait from the viewer being ready to its first packet.
	JoinClusterP95Ms, FirstPacketClusterP95Ms float64
}

// resultPrefix starts the machine-readable line; scripts find it with grep '^RESULT '.
const resultPrefix = "RESULT"

// field is one key of the line with its precision.
type field struct {
	key  string
	get  func(Result) float64
	prec int
}

// fields fixes the order of the line: the order, with first_packet_p95_ms after first_packet_p50_ms.
var fields = []field{
	{"join_p50_ms", func(r Result) float64 { return r.JoinP50Ms }, 1},
	{"join_p95_ms", func(r Result) float64 { return r.JoinP95Ms }, 1},
	{"first_packet_p50_ms", func(r Result) float64 { return r.FirstPacketP50Ms }, 1},
	{"first_packet_p95_ms", func(r Result) float64 { return r.FirstPacketP95Ms }, 1},
	{"loss_pct", func(r Result) float64 { return r.LossPct }, 3},
	{"forwarded_pps", func(r Result) float64 { return r.ForwardedPPS }, 1},
	{"slave_cpu_s", func(r Result) float64 { return r.SlaveCPUSeconds }, 2},
	{"pps_per_core", func(r Result) float64 { return r.PPSPerCore }, 0},
	{"join_cluster_p95_ms", func(r Result) float64 { return r.JoinClusterP95Ms }, 1},
	{"first_packet_cluster_p95_ms", func(r Result) float64 { return r.FirstPacketClusterP95Ms }, 1},
}

// Line formats the result as one line of key=value pairs, e.g.
// "RESULT join_p50_ms=42.0 join_p95_ms=80.5 ... pps_per_core=21000". Unmeasured values print as NaN.
func (r Result) Line() string {
	var b strings.Builder
	b.WriteString(resultPrefix)
	for _, f := range fields {
		fmt.Fprintf(&b, " %s=%s", f.key, FormatNumber(f.get(r), f.prec))
	}
	return b.String()
}

// FormatNumber prints v with prec decimals, NaN as "NaN" and infinities as "+Inf"/"-Inf" (all of which
// strconv.ParseFloat and Python's float() read back).
func FormatNumber(v float64, prec int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// ParseResultLine reads a RESULT line back into its values by key (for scripts written in Go and for tests).
func ParseResultLine(line string) (map[string]float64, error) {
	parts := strings.Fields(line)
	if len(parts) == 0 || parts[0] != resultPrefix {
		return nil, fmt.Errorf("not a RESULT line: %q", line)
	}
	out := make(map[string]float64, len(parts)-1)
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("RESULT field %q is not key=value", p)
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("RESULT field %s: %w", k, err)
		}
		out[k] = f
	}
	return out, nil
}
