package httpapi

import (
	"bytes"
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// slaveRoutes are the handlers of the internal API: decode, take ids from the path (they win over the body),
// validate, call the node once, encode (jsonCall). Errors go to errorHandler, which owns the status mapping.
type slaveRoutes struct {
	node application.SFUNode
}

func (r *slaveRoutes) register(g fiber.Router) {
	g.Post("/routers", jsonCall("", r.createRouter))
	g.Delete("/routers/:id", r.byID(r.node.CloseRouter))

	g.Post("/routers/:routerId/webrtc_transports", jsonCall("routerId", r.createWebRtcTransport))
	g.Post("/webrtc_transports/:id/connect", jsonDo("id", r.connectTransport))
	g.Delete("/webrtc_transports/:id", r.byID(r.node.CloseTransport))
	g.Post("/webrtc_transports/:id/restart_ice", r.restartIce)

	g.Post("/webrtc_transports/:id/producers", jsonDo("id", r.produce))
	g.Post("/producers/:id/pause", r.byID(r.node.PauseProducer))
	g.Post("/producers/:id/resume", r.byID(r.node.ResumeProducer))
	g.Delete("/producers/:id", r.byID(r.node.CloseProducer))

	g.Post("/webrtc_transports/:id/consumers", r.consumeRoute(jsonCall("id", r.consume)))
	g.Post("/consumers/:id/resume", r.byID(r.node.ResumeConsumer))
	g.Post("/consumers/:id/pause", r.byID(r.node.PauseConsumer))
	g.Delete("/consumers/:id", r.byID(r.node.CloseConsumer))
	g.Get("/consumers/:id", r.getConsumer)
	g.Post("/consumers/:id/preferred_layers", jsonDo("id", r.setPreferredLayers))

	g.Post("/routers/:routerId/pipe_transports", jsonCall("routerId", r.createPipeTransport))
	g.Post("/pipe_transports/:id/connect", jsonDo("id", r.connectPipeTransport))
	g.Post("/pipe_transports/:id/pipe_consume", jsonCall("id", r.pipeConsume))
	g.Post("/pipe_transports/:id/pipe_produce", jsonDo("id", r.pipeProduce))
	g.Delete("/pipe_transports/:id", r.byID(r.node.ClosePipeTransport))
	g.Delete("/pipe_transports/:id/pipe_consumers/:producerId", r.closePipeConsumer)

	r.registerData(g)

	g.Get("/stats", r.stats)
	r.registerStats(g)
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

func (r *slaveRoutes) createRouter(ctx context.Context, _ string, body *slaveCreateRouterBody) (application.RouterInfo, error) {
	if err := requireSlaveID("routerId", body.RouterID); err != nil {
		return application.RouterInfo{}, err
	}
	return r.node.CreateRouter(ctx, body.RouterID)
}

func (r *slaveRoutes) createWebRtcTransport(ctx context.Context, routerID string, body *slaveCreateTransportBody) (domain.TransportInfo, error) {
	if err := requireSlaveID("transportId", body.TransportID); err != nil {
		return domain.TransportInfo{}, err
	}
	return r.node.CreateWebRtcTransport(ctx, routerID, body.TransportID)
}

func (r *slaveRoutes) connectTransport(ctx context.Context, id string, body *slaveConnectBody) error {
	if err := body.DtlsParameters.Validate(); err != nil {
		return err
	}
	return r.node.ConnectTransport(ctx, id, body.DtlsParameters)
}

func (r *slaveRoutes) produce(ctx context.Context, id string, req *application.ProduceRequest) error {
	req.TransportID = id
	if err := requireSlaveID("producerId", req.ProducerID); err != nil {
		return err
	}
	if err := validateSlaveKindAndRtp(req.Kind, req.RtpParameters); err != nil {
		return err
	}
	return r.node.Produce(ctx, *req)
}

// consumeRoute serves the usual consume body, the master's {transportId, consumerId, producerId, rtpCapabilities}
// with capabilities slaveConsumeCaps has seen, from one pass of jsonScan (readConsumeBody says why); any other
// body goes to decoded, the route's decoding handler, which accepts and refuses the same.
func (r *slaveRoutes) consumeRoute(decoded fiber.Handler) fiber.Handler {
	names := []string{"transportId", "consumerId", "producerId"}
	return func(c *fiber.Ctx) error {
		var v [3]string
		raw, ok := scanFlatObject(bytes.TrimSpace(c.Body()), names, v[:], "rtpCapabilities")
		if !ok {
			return decoded(c)
		}
		caps, hit := slaveConsumeCaps.cached(raw)
		if !hit {
			return decoded(c)
		}
		id, err := slavePathID(c, "id")
		if err != nil {
			return err
		}
		body := &slaveConsumeBody{ConsumerID: v[1], ProducerID: v[2]}
		if err := requireConsumeIDs(body); err != nil {
			return err
		}
		info, err := r.consumeWith(c.UserContext(), id, body, caps)
		if err != nil {
			return err
		}
		return c.JSON(info)
	}
}

func (r *slaveRoutes) consume(ctx context.Context, id string, body *slaveConsumeBody) (application.ConsumerInfo, error) {
	if err := requireConsumeIDs(body); err != nil {
		return application.ConsumerInfo{}, err
	}
	caps, err := slaveConsumeCaps.decode(body.RtpCapabilities)
	if err != nil {
		return application.ConsumerInfo{}, err
	}
	if body.RtpCapabilities == nil { // absent: what Validate says of the zero value
		if err := caps.Validate(); err != nil {
			return application.ConsumerInfo{}, err
		}
	}
	return r.consumeWith(ctx, id, body, caps)
}

func requireConsumeIDs(body *slaveConsumeBody) error {
	if err := requireSlaveID("consumerId", body.ConsumerID); err != nil {
		return err
	}
	return requireSlaveID("producerId", body.ProducerID)
}

// consumeWith is consume with the body's ids checked and its capabilities decoded and validated.
func (r *slaveRoutes) consumeWith(ctx context.Context, id string, body *slaveConsumeBody, caps domain.RtpCapabilities) (application.ConsumerInfo, error) {
	return r.node.Consume(ctx, application.ConsumeRequest{TransportID: id, ConsumerID: body.ConsumerID,
		ProducerID: body.ProducerID, RtpCapabilities: caps, ReceiverPayloadTypes: body.ReceiverPayloadTypes})
}

// validateSlaveKindAndRtp checks a producer's kind and its rtpParameters against it (produce and pipe_produce).
func validateSlaveKindAndRtp(kind domain.MediaKind, params domain.RtpParameters) error {
	if _, err := domain.ParseMediaKind(string(kind)); err != nil {
		return err
	}
	return params.Validate(kind)
}
