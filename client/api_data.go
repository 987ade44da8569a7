package client

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// DataProducerRow is one item of GET /rooms/:roomId/data_producers.
type DataProducerRow struct {
	ID                   string                      `json:"id"`
	PeerID               string                      `json:"peerId"`
	UserID               string                      `json:"userId"`
	SctpStreamParameters domain.SctpStreamParameters `json:"sctpStreamParameters"`
	Label                string                      `json:"label"`
	Protocol             string                      `json:"protocol"`
	AppData              json.RawMessage             `json:"appData"`
}

// DataConsumerInfo is the answer of consume_data, in mediasoup's shape (what consumeData() takes).
type DataConsumerInfo struct {
	ID                   string                      `json:"id"`
	DataProducerID       string                      `json:"dataProducerId"`
	SctpStreamParameters domain.SctpStreamParameters `json:"sctpStreamParameters"`
	Label                string                      `json:"label"`
	Protocol             string                      `json:"protocol"`
	AppData              json.RawMessage             `json:"appData"`
}

type sctpPeerBody struct {
	UserID           string                  `json:"userId,omitempty"`
	SctpCapabilities domain.SctpCapabilities `json:"sctpCapabilities"`
}

// CreateProducerPeerWithSctp: POST /rooms/:roomId/producer_peers with sctpCapabilities (data channels).
func (a *API) CreateProducerPeerWithSctp(ctx context.Context, roomID, userID string, caps domain.SctpCapabilities) (domain.TransportInfo, error) {
	var t domain.TransportInfo
	if err := requireIDs(roomID); err != nil {
		return t, err
	}
	err := a.do(ctx, http.MethodPost, p("rooms", roomID, "producer_peers"), nil, sctpPeerBody{userID, caps}, &t)
	return t, err
}

// CreateConsumerPeerWithSctp: POST /router/:routerId/consumer_peers with sctpCapabilities (data channels).
func (a *API) CreateConsumerPeerWithSctp(ctx context.Context, routerID, userID string, caps domain.SctpCapabilities) (domain.TransportInfo, error) {
	var t domain.TransportInfo
	if err := requireIDs(routerID); err != nil {
		return t, err
	}
	err := a.do(ctx, http.MethodPost, p("router", routerID, "consumer_peers"), nil, sctpPeerBody{userID, caps}, &t)
	return t, err
}

// ProduceData: POST /producer_peers/:peerId/produce_data; returns the data producer id.
func (a *API) ProduceData(ctx context.Context, peerID string, params domain.SctpStreamParameters, label, protocol string, appData json.RawMessage) (string, error) {
	if err := requireIDs(peerID); err != nil {
		return "", err
	}
	in := struct {
		SctpStreamParameters domain.SctpStreamParameters `json:"sctpStreamParameters"`
		Label                string                      `json:"label"`
		Protocol             string                      `json:"protocol"`
		AppData              json.RawMessage             `json:"appData,omitempty"`
	}{params, label, protocol, appData}
	var out idBody
	err := a.do(ctx, http.MethodPost, p("producer_peers", peerID, "produce_data"), nil, in, &out)
	return out.ID, err
}

// ConsumeData: POST /consumer_peers/:peerId/consume_data.
func (a *API) ConsumeData(ctx context.Context, peerID, dataProducerID string) (DataConsumerInfo, error) {
	var out DataConsumerInfo
	if err := requireIDs(peerID, dataProducerID); err != nil {
		return out, err
	}
	in := struct {
		DataProducerID string `json:"dataProducerId"`
	}{dataProducerID}
	err := a.do(ctx, http.MethodPost, p("consumer_peers", peerID, "consume_data"), nil, in, &out)
	return out, err
}

// ListDataProducers: GET /rooms/:roomId/data_producers.
func (a *API) ListDataProducers(ctx context.Context, roomID string) ([]DataProducerRow, error) {
	if err := requireIDs(roomID); err != nil {
		return nil, err
	}
	var out []DataProducerRow
	err := a.do(ctx, http.MethodGet, p("rooms", roomID, "data_producers"), nil, nil, &out)
	return out, err
}

// CloseDataProducer: POST /data_producers/:id/close; its copies and data consumers on every slave close too.
func (a *API) CloseDataProducer(ctx context.Context, dataProducerID string) error {
	if err := requireIDs(dataProducerID); err != nil {
		return err
	}
	return a.do(ctx, http.MethodPost, p("data_producers", dataProducerID, "close"), nil, nil, nil)
}

// CloseDataConsumer: POST /data_consumers/:id/close; the client's data channel closes.
func (a *API) CloseDataConsumer(ctx context.Context, dataConsumerID string) error {
	if err := requireIDs(dataConsumerID); err != nil {
		return err
	}
	return a.do(ctx, http.MethodPost, p("data_consumers", dataConsumerID, "close"), nil, nil, nil)
}
