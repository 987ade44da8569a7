package httpapi

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Data channel routes of the internal API (application.DataNode).

type slaveEnableSctpBody struct {
	SctpCapabilities domain.SctpCapabilities `json:"sctpCapabilities"`
}

type slavePipeConsumeDataBody struct {
	DataProducerID string `json:"dataProducerId"`
}

func (r *slaveRoutes) registerData(g fiber.Router) {
	g.Post("/webrtc_transports/:id/sctp", jsonCall("id", r.enableSctp))
	g.Post("/webrtc_transports/:id/data_producers", jsonDo("id", r.produceData))
	g.Post("/webrtc_transports/:id/data_consumers", jsonCall("id", r.consumeData))
	g.Delete("/data_producers/:id", r.byID(r.node.CloseDataProducer))
	g.Delete("/data_consumers/:id", r.byID(r.node.CloseDataConsumer))
	g.Post("/pipe_transports/:id/pipe_consume_data", jsonCall("id", r.pipeConsumeData))
	g.Post("/pipe_transports/:id/pipe_produce_data", jsonDo("id", r.pipeProduceData))
	g.Delete("/pipe_transports/:id/pipe_data_consumers/:dataProducerId", r.closePipeDataConsumer)
}

func (r *slaveRoutes) enableSctp(ctx context.Context, id string, body *slaveEnableSctpBody) (domain.SctpParameters, error) {
	return r.node.EnableSctp(ctx, id, body.SctpCapabilities)
}

func (r *slaveRoutes) produceData(ctx context.Context, id string, req *application.DataProduceRequest) error {
	if err := requireSlaveID("dataProducerId", req.DataProducerID); err != nil {
		return err
	}
	req.TransportID = id
	return r.node.ProduceData(ctx, *req)
}

func (r *slaveRoutes) consumeData(ctx context.Context, id string, req *application.DataConsumeRequest) (application.DataConsumerInfo, error) {
	if err := requireSlaveID("dataConsumerId", req.DataConsumerID); err != nil {
		return application.DataConsumerInfo{}, err
	}
	if err := requireSlaveID("dataProducerId", req.DataProducerID); err != nil {
		return application.DataConsumerInfo{}, err
	}
	req.TransportID = id
	return r.node.ConsumeData(ctx, *req)
}

func (r *slaveRoutes) pipeConsumeData(ctx context.Context, id string, body *slavePipeConsumeDataBody) (application.PipedDataProducer, error) {
	if err := requireSlaveID("dataProducerId", body.DataProducerID); err != nil {
		return application.PipedDataProducer{}, err
	}
	return r.node.PipeConsumeData(ctx, id, body.DataProducerID)
}

func (r *slaveRoutes) pipeProduceData(ctx context.Context, id string, p *application.PipedDataProducer) error {
	if err := requireSlaveID("dataProducerId", p.DataProducerID); err != nil {
		return err
	}
	return r.node.PipeProduceData(ctx, id, *p)
}

func (r *slaveRoutes) closePipeDataConsumer(c *fiber.Ctx) error {
	id, err := slavePathID(c, "id")
	if err != nil {
		return err
	}
	dpID, err := slavePathID(c, "dataProducerId")
	if err != nil {
		return err
	}
	if err := r.node.ClosePipeDataConsumer(c.UserContext(), id, dpID); err != nil {
		return err
	}
	return c.JSON(slaveEmpty{})
}
