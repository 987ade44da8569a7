package sfu

import (
	"math"

	"github.com/pion/rtcp"
)

// scoreOf is a consumer's score from its receiver's last report, as mediasoup's RtpStreamSend scores it: the
// delivered fraction to the 4th power, times 10 (5 % loss is 8, 16 % is 5, 44 % is 1). 10 before any report.
func scoreOf(rr rtcp.ReceptionReport) int {
	if rr.SSRC == 0 {
		return 10
	}
	delivered := 1 - float64(rr.FractionLost)/256
	return int(math.Round(math.Pow(delivered, 4) * 10))
}
