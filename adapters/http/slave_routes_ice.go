package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// iceParametersBody answers an ICE restart, on the slave's internal API as on the master's public one
// (mediasoup's `{iceParameters}`, what mediasoup-client's transport.restartIce() takes).
type iceParametersBody struct {
	IceParameters domain.IceParameters `json:"iceParameters"`
}

// restartIce is POST /webrtc_transports/:id/restart_ice.
func (r *slaveRoutes) restartIce(c *fiber.Ctx) error {
	id, err := slavePathID(c, "id")
	if err != nil {
		return err
	}
	ice, err := r.node.RestartIce(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(iceParametersBody{IceParameters: ice})
}
