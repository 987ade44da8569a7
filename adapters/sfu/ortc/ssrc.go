package ortc

import "math/rand/v2"

// SSRC range mediasoup draws from (utils.generateRandomNumber); RTX uses SSRC+1, which stays in uint32.
const (
	minSSRC = 100000000
	maxSSRC = 999999999
)

// randomSSRC draws an SSRC in [minSSRC, maxSSRC]. Not secret, so math/rand's goroutine-safe source is enough.
func randomSSRC() uint32 {
	return uint32(minSSRC + rand.IntN(maxSSRC-minSSRC+1)) //nolint:gosec // SSRCs are not secrets, and fit in uint32
}
