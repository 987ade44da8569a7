package httpapi

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// The fakeNode's data channel methods: recorded, answering canned values.

var (
	fakeSctpParameters = domain.NewSctpParameters(262144)
	fakeDataConsumer   = application.DataConsumerInfo{ID: "dc1", DataProducerID: "dp1",
		SctpStreamParameters: domain.SctpStreamParameters{StreamID: 3}.Normalized(), Label: "chat", Protocol: "json"}
	fakePipedData = application.PipedDataProducer{DataProducerID: "dp1",
		SctpStreamParameters: domain.SctpStreamParameters{StreamID: 2}.Normalized(), Label: "chat"}
)

func (f *fakeNode) EnableSctp(ctx context.Context, transportID string, caps domain.SctpCapabilities) (domain.SctpParameters, error) {
	if err := f.record(ctx, "EnableSctp", transportID, caps); err != nil {
		return domain.SctpParameters{}, err
	}
	return fakeSctpParameters, nil
}

func (f *fakeNode) ProduceData(ctx context.Context, req application.DataProduceRequest) error {
	return f.record(ctx, "ProduceData", req)
}

func (f *fakeNode) ConsumeData(ctx context.Context, req application.DataConsumeRequest) (application.DataConsumerInfo, error) {
	if err := f.record(ctx, "ConsumeData", req); err != nil {
		return application.DataConsumerInfo{}, err
	}
	return fakeDataConsumer, nil
}

func (f *fakeNode) CloseDataProducer(ctx context.Context, id string) error {
	return f.record(ctx, "CloseDataProducer", id)
}

func (f *fakeNode) CloseDataConsumer(ctx context.Context, id string) error {
	return f.record(ctx, "CloseDataConsumer", id)
}

func (f *fakeNode) PipeConsumeData(ctx context.Context, transportID, dataProducerID string) (application.PipedDataProducer, error) {
	if err := f.record(ctx, "PipeConsumeData", transportID, dataProducerID); err != nil {
		return application.PipedDataProducer{}, err
	}
	return fakePipedData, nil
}

func (f *fakeNode) PipeProduceData(ctx context.Context, transportID string, p application.PipedDataProducer) error {
	return f.record(ctx, "PipeProduceData", transportID, p)
}

func (f *fakeNode) ClosePipeDataConsumer(ctx context.Context, transportID, dataProducerID string) error {
	return f.record(ctx, "ClosePipeDataConsumer", transportID, dataProducerID)
}
