package stats

import (
	"math"
	"time"
)

// Rate is count per second over d; NaN when d is not positive.
func Rate(count float64, d time.Duration) float64 {
	if d <= 0 {
		return math.NaN()
	}
	return count / d.Seconds()
}

// PPSPerCore is packets handled per CPU-second: packets sent to subscribers ÷ CPU-seconds the slaves used in the
// same window. NaN when the CPU reading is missing or zero (a machine too idle to measure says nothing).
func PPSPerCore(packets uint64, cpuSeconds float64) float64 {
	if math.IsNaN(cpuSeconds) || cpuSeconds <= 0 {
		return math.NaN()
	}
	return float64(packets) / cpuSeconds
}
