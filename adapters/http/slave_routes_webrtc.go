package httpapi

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// slaveRoutes are the handlers of the internal API: decode, take ids from the path (they win over the body),
// validate, call the node once, encode. Errors go to errorHandler, which owns the status mapping.
type slaveRoutes struct {
	node application.SFUNode
}

func (r *slaveRoutes) register(g fiber.Router) {
	g.Post("/routers", r.createRouter)
	g.Delete("/routers/:id", r.byID(r.node.CloseRouter))

	g.Post("/routers/:routerId/webrtc_transports", r.createWebRtcTransport)
	g.Post("/webrtc_transports/:id/connect", r.connectTransport)
	g.Delete("/webrtc_transports/:id", r.byID(r.node.CloseTransport))

	g.Post("/webrtc_transports/:id/producers", r.produce)
	g.Post("/producers/:id/pause", r.byID(r.node.PauseProducer))
	g.Post("/producers/:id/resume", r.byID(r.node.ResumeProducer))
	g.Delete("/producers/:id", r.byID(r.node.CloseProducer))

	g.Post("/webrtc_transports/:id/consumers", r.consume)
	g.Post("/consumers/:id/resume", r.byID(r.node.ResumeConsumer))
	g.Post("/consumers/:id/pause", r.byID(r.node.PauseConsumer))
	g.Delete("/consumers/:id", r.byID(r.node.CloseConsumer))
	g.Get("/consumers/:id", r.getConsumer)
	g.Post("/consumers/:id/preferred_layers", r.setPreferredLayers)

	g.Post("/routers/:routerId/pipe_transports", r.createPipeTransport)
	g.Post("/pipe_transports/:id/connect", r.connectPipeTransport)
	g.Post("/pipe_transports/:id/pipe_consume", r.pipeConsume)
	g.Post("/pipe_transports/:id/pipe_produce", r.pipeProduce)
	g.Delete("/pipe_transports/:id", r.byID(r.node.ClosePipeTransport))
	g.Delete("/pipe_transports/:id/pipe_consumers/:producerId", r.closePipeConsumer)

	g.Get("/stats", r.stats)
}

// byID serves the bodiless calls that take one id from the path and answer "{}".
func (r *slaveRoutes) byID(call func(ctx context.Context, id string) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := slavePathID(c, "id")
		if err != nil {
			return err
		}
		if err := call(c.UserContext(), id); err != nil {
			return err
		}
		return c.JSON(slaveEmpty{})
	}
}

func (r *slaveRoutes) createRouter(c *fiber.Ctx) error {
	var body slaveCreateRouterBody
	if err := decodeSlaveBody(c, &body); err != nil {
		return err
	}
	if err := requireSlaveID("routerId", body.RouterID); err != nil {
		return err
	}
	info, err := r.node.CreateRouter(c.UserContext(), body.RouterID)
	if err != nil {
		return err
	}
	return c.JSON(info)
}

func (r *slaveRoutes) createWebRtcTransport(c *fiber.Ctx) error {
	var body slaveCreateTransportBody
	if err := decodeSlaveBody(c, &body); err != nil {
		return err
	}
	routerID, err := slavePathID(c, "routerId")
	if err != nil {
		return err
	}
	if err := requireSlaveID("transportId", body.TransportID); err != nil {
		return err
	}
	info, err := r.node.CreateWebRtcTransport(c.UserContext(), routerID, body.TransportID)
	if err != nil {
		return err
	}
	return c.JSON(info)
}

func (r *slaveRoutes) connectTransport(c *fiber.Ctx) error {
	var body slaveConnectBody
	if err := decodeSlaveBody(c, &body); err != nil {
		return err
	}
	id, err := slavePathID(c, "id")
	if err != nil {
		return err
	}
	if err := body.DtlsParameters.Validate(); err != nil {
		return err
	}
	if err := r.node.ConnectTransport(c.UserContext(), id, body.DtlsParameters); err != nil {
		return err
	}
	return c.JSON(slaveEmpty{})
}

func (r *slaveRoutes) produce(c *fiber.Ctx) error {
	var req application.ProduceRequest
	if err := decodeSlaveBody(c, &req); err != nil {
		return err
	}
	id, err := slavePathID(c, "id")
	if err != nil {
		return err
	}
	req.TransportID = id
	if err := requireSlaveID("producerId", req.ProducerID); err != nil {
		return err
	}
	if err := validateSlaveKindAndRtp(req.Kind, req.RtpParameters); err != nil {
		return err
	}
	if err := r.node.Produce(c.UserContext(), req); err != nil {
		return err
	}
	return c.JSON(slaveEmpty{})
}

func (r *slaveRoutes) consume(c *fiber.Ctx) error {
	var req application.ConsumeRequest
	if err := decodeSlaveBody(c, &req); err != nil {
		return err
	}
	id, err := slavePathID(c, "id")
	if err != nil {
		return err
	}
	req.TransportID = id
	if err := requireSlaveID("consumerId", req.ConsumerID); err != nil {
		return err
	}
	if err := requireSlaveID("producerId", req.ProducerID); err != nil {
		return err
	}
	if err := req.RtpCapabilities.Validate(); err != nil {
		return err
	}
	info, err := r.node.Consume(c.UserContext(), req)
	if err != nil {
		return err
	}
	return c.JSON(info)
}

// validateSlaveKindAndRtp checks a producer's kind and its rtpParameters against it (produce and pipe_produce).
func validateSlaveKindAndRtp(kind domain.MediaKind, params domain.RtpParameters) error {
	if _, err := domain.ParseMediaKind(string(kind)); err != nil {
		return err
	}
	return params.Validate(kind)
}
