package httpapi

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/netip"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Pipe transport routes and stats. The master is the only one that tells a pipe where its remote end is, so the
// address is checked here: a slave must not be made to send media to something that is not an IP:port.

func (r *slaveRoutes) createPipeTransport(ctx context.Context, routerID string, body *slaveCreatePipeBody) (application.PipeTransportInfo, error) {
	if err := requireSlaveID("transportId", body.TransportID); err != nil {
		return application.PipeTransportInfo{}, err
	}
	return r.node.CreatePipeTransport(ctx, routerID, body.TransportID, body.SRTP)
}

func (r *slaveRoutes) connectPipeTransport(ctx context.Context, id string, req *application.PipeConnectRequest) error {
	if err := validatePipeConnect(*req); err != nil {
		return err
	}
	return r.node.ConnectPipeTransport(ctx, id, *req)
}

func (r *slaveRoutes) pipeConsume(ctx context.Context, id string, body *slavePipeConsumeBody) (application.PipedProducer, error) {
	if err := requireSlaveID("producerId", body.ProducerID); err != nil {
		return application.PipedProducer{}, err
	}
	return r.node.PipeConsume(ctx, id, body.ProducerID)
}

func (r *slaveRoutes) closePipeConsumer(c *fiber.Ctx) error {
	id, err := slavePathID(c, "id")
	if err != nil {
		return err
	}
	producerID, err := slavePathID(c, "producerId")
	if err != nil {
		return err
	}
	if err := r.node.ClosePipeConsumer(c.UserContext(), id, producerID); err != nil {
		return err
	}
	return c.JSON(slaveEmpty{})
}

func (r *slaveRoutes) pipeProduce(ctx context.Context, id string, p *application.PipedProducer) error {
	if err := requireSlaveID("producerId", p.ProducerID); err != nil {
		return err
	}
	if err := validateSlaveKindAndRtp(p.Kind, p.RtpParameters); err != nil {
		return err
	}
	return r.node.PipeProduce(ctx, id, *p)
}

func (r *slaveRoutes) stats(c *fiber.Ctx) error {
	s, err := r.node.Stats(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(s)
}

// validatePipeConnect requires a literal IP (no host names: nothing to resolve, nothing to redirect), a usable
// port, and, when SRTP is on, a suite name and a base64 key. Which suites exist is the media engine's call.
func validatePipeConnect(req application.PipeConnectRequest) error {
	addr, err := netip.ParseAddr(req.IP)
	if err != nil || addr.IsUnspecified() || addr.IsMulticast() {
		return fmt.Errorf("%w: ip must be a literal unicast IP address, got %q", domain.ErrInvalidInput, req.IP)
	}
	if req.Port < 1 || req.Port > 65535 {
		return fmt.Errorf("%w: port must be 1..65535, got %d", domain.ErrInvalidInput, req.Port)
	}
	if s := req.SrtpParameters; s != nil {
		if s.CryptoSuite == "" {
			return fmt.Errorf("%w: srtpParameters.cryptoSuite is required", domain.ErrInvalidInput)
		}
		if key, err := base64.StdEncoding.DecodeString(s.KeyBase64); err != nil || len(key) == 0 {
			return fmt.Errorf("%w: srtpParameters.keyBase64 must be non-empty base64", domain.ErrInvalidInput)
		}
	}
	return nil
}
