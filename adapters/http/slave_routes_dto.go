package httpapi

import (
	"encoding/json"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Request bodies of the slave's internal API that no application type already describes. The server decodes them
// and the client encodes them, so both sides share one definition. ProduceRequest, ConsumeRequest (decoded as
// slaveConsumeBody), PipeConnectRequest and PipedProducer travel as they are in package application.

// slaveCreateRouterBody is POST /routers.
type slaveCreateRouterBody struct {
	RouterID string `json:"routerId"`
}

// slaveCreateTransportBody is POST /routers/:routerId/webrtc_transports.
type slaveCreateTransportBody struct {
	TransportID string `json:"transportId"`
}

// slaveConnectBody is POST /webrtc_transports/:id/connect.
type slaveConnectBody struct {
	DtlsParameters domain.DtlsParameters `json:"dtlsParameters"`
}

// slaveCreatePipeBody is POST /routers/:routerId/pipe_transports.
type slaveCreatePipeBody struct {
	TransportID string `json:"transportId"`
	SRTP        bool   `json:"srtp"`
}

// slaveConsumeBody is POST /webrtc_transports/:id/consumers: an application.ConsumeRequest whose capabilities
// are decoded through slaveConsumeCaps (the transport id is the path's).
type slaveConsumeBody struct {
	ConsumerID           string          `json:"consumerId"`
	ProducerID           string          `json:"producerId"`
	RtpCapabilities      json.RawMessage `json:"rtpCapabilities"`
	ReceiverPayloadTypes bool            `json:"receiverPayloadTypes,omitempty"`
}

// slavePipeConsumeBody is POST /pipe_transports/:id/pipe_consume.
type slavePipeConsumeBody struct {
	ProducerID string `json:"producerId"`
}
