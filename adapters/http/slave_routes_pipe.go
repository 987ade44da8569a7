package httpapi

import (
	"encoding/base64"
	"fmt"
	"net/netip"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Pipe transport routes and stats. The master is the only one that tells a pipe where its remote end is, so the
// address is checked here: a slave must not be made to send media to something that is not an IP:port.

func (r *slaveRoutes) createPipeTransport(c *fiber.Ctx) error {
	var body slaveCreatePipeBody
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
	info, err := r.node.CreatePipeTransport(c.UserContext(), routerID, body.TransportID, body.SRTP)
	if err != nil {
		return err
	}
	return c.JSON(info)
}

func (r *slaveRoutes) connectPipeTransport(c *fiber.Ctx) error {
	var req application.PipeConnectRequest
	if err := decodeSlaveBody(c, &req); err != nil {
		return err
	}
	id, err := slavePathID(c, "id")
	if err != nil {
		return err
	}
	if err := validatePipeConnect(req); err != nil {
		return err
	}
	if err := r.node.ConnectPipeTransport(c.UserContext(), id, req); err != nil {
		return err
	}
	return c.JSON(slaveEmpty{})
}

func (r *slaveRoutes) pipeConsume(c *fiber.Ctx) error {
	var body slavePipeConsumeBody
	if err := decodeSlaveBody(c, &body); err != nil {
		return err
	}
	id, err := slavePathID(c, "id")
	if err != nil {
		return err
	}
	if err := requireSlaveID("producerId", body.ProducerID); err != nil {
		return err
	}
	piped, err := r.node.PipeConsume(c.UserContext(), id, body.ProducerID)
	if err != nil {
		return err
	}
	return c.JSON(piped)
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

func (r *slaveRoutes) pipeProduce(c *fiber.Ctx) error {
	var p application.PipedProducer
	if err := decodeSlaveBody(c, &p); err != nil {
		return err
	}
	id, err := slavePathID(c, "id")
	if err != nil {
		return err
	}
	if err := requireSlaveID("producerId", p.ProducerID); err != nil {
		return err
	}
	if err := validateSlaveKindAndRtp(p.Kind, p.RtpParameters); err != nil {
		return err
	}
	if err := r.node.PipeProduce(c.UserContext(), id, p); err != nil {
		return err
	}
	return c.JSON(slaveEmpty{})
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
