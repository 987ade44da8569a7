package httpapi

import (
	"context"
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Data channels: mediasoup-client's transport.produceData() ("producedata" event) and consumeData().
func (h masterHandlers) routeDataChannels(app *fiber.App) {
	if h.uc.DataChannels == nil {
		return
	}
	for _, name := range []string{"producer_peers", "producer_transports"} {
		app.Post("/"+name+"/:peerId/produce_data", h.produceData)
	}
	for _, name := range []string{"consumer_peers", "consumer_transports"} {
		app.Post("/"+name+"/:peerId/consume_data", h.consumeData)
	}
	app.Get("/rooms/:roomId/data_producers", h.listDataProducers)
	app.Post("/data_producers/:dataProducerId/close", h.closeData(h.uc.DataChannels.CloseProducer, "dataProducerId"))
	app.Post("/data_consumers/:dataConsumerId/close", h.closeData(h.uc.DataChannels.CloseConsumer, "dataConsumerId"))
}

// closeData closes one data producer or data consumer (mediasoup's dataProducer.close() / dataConsumer.close()).
func (h masterHandlers) closeData(closeFn func(context.Context, string) error, param string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := closeFn(c.UserContext(), c.Params(param)); err != nil {
			return err
		}
		return c.JSON(empty)
	}
}

func (h masterHandlers) produceData(c *fiber.Ctx) error {
	var body struct {
		SctpStreamParameters *domain.SctpStreamParameters `json:"sctpStreamParameters"`
		Label                string                       `json:"label"`
		Protocol             string                       `json:"protocol"`
		AppData              json.RawMessage              `json:"appData"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	id, err := h.uc.DataChannels.Produce(c.UserContext(), application.ProduceDataInput{PeerID: c.Params("peerId"),
		SctpStreamParameters: body.SctpStreamParameters, Label: body.Label, Protocol: body.Protocol, AppData: body.AppData})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": id})
}

func (h masterHandlers) consumeData(c *fiber.Ctx) error {
	var body struct {
		DataProducerID string `json:"dataProducerId"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	info, err := h.uc.DataChannels.Consume(c.UserContext(), application.ConsumeDataInput{PeerID: c.Params("peerId"),
		DataProducerID: body.DataProducerID})
	if err != nil {
		return err
	}
	return c.JSON(info)
}

func (h masterHandlers) listDataProducers(c *fiber.Ctx) error {
	rows, err := h.uc.DataChannels.List(c.UserContext(), c.Params("roomId"))
	if err != nil {
		return err
	}
	return c.JSON(rows)
}
