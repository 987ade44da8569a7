package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Room is a room as the API shows it.
type Room struct {
	ID              string                 `json:"id"`
	RtpCapabilities domain.RtpCapabilities `json:"rtpCapabilities"`
}

// RoomListItem is a room as GET /rooms lists it: with its creation time and peer counts.
type RoomListItem struct {
	Room
	CreatedAt         time.Time `json:"createdAt"`
	PeerCount         int       `json:"peerCount"`
	ProducerPeerCount int       `json:"producerPeerCount"`
	ConsumerPeerCount int       `json:"consumerPeerCount"`
}

// RoomPage is one page of GET /rooms.
type RoomPage struct {
	Items      []RoomListItem `json:"items"`
	Pagination Pagination     `json:"pagination"`
}

// Pagination describes a page.
type Pagination struct {
	Page     int `json:"page"`
	PageSize int `json:"pageSize"`
	Total    int `json:"total"`
}

// ProducerPeer is one row of GET /rooms/:roomId/producer_peers: one producer of a producer peer.
type ProducerPeer struct {
	ID         string           `json:"id"`
	UserID     string           `json:"userId"`
	ProducerID string           `json:"producerId"`
	Kind       domain.MediaKind `json:"kind"`
	Paused     bool             `json:"paused"`
	AppData    json.RawMessage  `json:"appData"` // what the producer's client attached ({} when nothing)
}

// ConsumerRouter is a room's router on a consumer slave.
type ConsumerRouter struct {
	ID              string                 `json:"id"`
	RtpCapabilities domain.RtpCapabilities `json:"rtpCapabilities"`
}

type userBody struct {
	UserID string `json:"userId"`
}

type dtlsBody struct {
	DtlsParameters domain.DtlsParameters `json:"dtlsParameters"`
}

type idBody struct {
	ID string `json:"id"`
}

// CreateRoom: POST /rooms.
func (a *API) CreateRoom(ctx context.Context) (Room, error) {
	var r Room
	err := a.do(ctx, http.MethodPost, "/rooms", nil, nil, &r)
	return r, err
}

// GetRoom: GET /rooms/:roomId.
func (a *API) GetRoom(ctx context.Context, roomID string) (Room, error) {
	var r Room
	if err := requireIDs(roomID); err != nil {
		return r, err
	}
	err := a.do(ctx, http.MethodGet, p("rooms", roomID), nil, nil, &r)
	return r, err
}

// ListRooms: GET /rooms?page&pageSize; zero values leave the server's defaults.
func (a *API) ListRooms(ctx context.Context, page, pageSize int) (RoomPage, error) {
	q := url.Values{}
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if pageSize > 0 {
		q.Set("pageSize", strconv.Itoa(pageSize))
	}
	var r RoomPage
	err := a.do(ctx, http.MethodGet, "/rooms", q, nil, &r)
	return r, err
}

// DeleteRoom: DELETE /rooms/:roomId (409 room_not_empty while peers remain).
func (a *API) DeleteRoom(ctx context.Context, roomID string) error {
	if err := requireIDs(roomID); err != nil {
		return err
	}
	return a.do(ctx, http.MethodDelete, p("rooms", roomID), nil, nil, nil)
}

// CreateProducerPeer: POST /rooms/:roomId/producer_peers.
func (a *API) CreateProducerPeer(ctx context.Context, roomID, userID string) (domain.TransportInfo, error) {
	var t domain.TransportInfo
	if err := requireIDs(roomID); err != nil {
		return t, err
	}
	err := a.do(ctx, http.MethodPost, p("rooms", roomID, "producer_peers"), nil, userBody{userID}, &t)
	return t, err
}

// ConnectProducerPeer: POST /producer_peers/:peerId/connect.
func (a *API) ConnectProducerPeer(ctx context.Context, peerID string, dtls domain.DtlsParameters) error {
	if err := requireIDs(peerID); err != nil {
		return err
	}
	return a.do(ctx, http.MethodPost, p("producer_peers", peerID, "connect"), nil, dtlsBody{dtls}, nil)
}

// Produce: POST /producer_peers/:peerId/produce; returns the producer id.
func (a *API) Produce(ctx context.Context, peerID string, kind domain.MediaKind, rtpParameters domain.RtpParameters) (string, error) {
	if err := requireIDs(peerID); err != nil {
		return "", err
	}
	in := struct {
		Kind          domain.MediaKind     `json:"kind"`
		RtpParameters domain.RtpParameters `json:"rtpParameters"`
	}{kind, rtpParameters}
	var out idBody
	err := a.do(ctx, http.MethodPost, p("producer_peers", peerID, "produce"), nil, in, &out)
	return out.ID, err
}

// ListProducerPeers: GET /rooms/:roomId/producer_peers.
func (a *API) ListProducerPeers(ctx context.Context, roomID string) ([]ProducerPeer, error) {
	if err := requireIDs(roomID); err != nil {
		return nil, err
	}
	var out []ProducerPeer
	err := a.do(ctx, http.MethodGet, p("rooms", roomID, "producer_peers"), nil, nil, &out)
	return out, err
}

// PauseProducer: POST /producers/:id/pause; its consumers (on every slave) stop receiving.
func (a *API) PauseProducer(ctx context.Context, producerID string) error {
	if err := requireIDs(producerID); err != nil {
		return err
	}
	return a.do(ctx, http.MethodPost, p("producers", producerID, "pause"), nil, nil, nil)
}

// ResumeProducer: POST /producers/:id/resume.
func (a *API) ResumeProducer(ctx context.Context, producerID string) error {
	if err := requireIDs(producerID); err != nil {
		return err
	}
	return a.do(ctx, http.MethodPost, p("producers", producerID, "resume"), nil, nil, nil)
}

// CreateConsumerPeerOnRoomRouter: POST /rooms/:roomId/consumer_transports, the v4 alias that puts the consumer
// on the room's producer router (no pipe; consume with the room's rtpCapabilities).
func (a *API) CreateConsumerPeerOnRoomRouter(ctx context.Context, roomID, userID string) (domain.TransportInfo, error) {
	var t domain.TransportInfo
	if err := requireIDs(roomID); err != nil {
		return t, err
	}
	err := a.do(ctx, http.MethodPost, p("rooms", roomID, "consumer_transports"), nil, userBody{userID}, &t)
	return t, err
}

// CreateConsumerRouter: POST /rooms/:roomId/consumer_routers.
func (a *API) CreateConsumerRouter(ctx context.Context, roomID, userID string) (ConsumerRouter, error) {
	var r ConsumerRouter
	if err := requireIDs(roomID); err != nil {
		return r, err
	}
	err := a.do(ctx, http.MethodPost, p("rooms", roomID, "consumer_routers"), nil, userBody{userID}, &r)
	return r, err
}

// CreateConsumerPeer: POST /router/:routerId/consumer_peers.
func (a *API) CreateConsumerPeer(ctx context.Context, routerID, userID string) (domain.TransportInfo, error) {
	var t domain.TransportInfo
	if err := requireIDs(routerID); err != nil {
		return t, err
	}
	err := a.do(ctx, http.MethodPost, p("router", routerID, "consumer_peers"), nil, userBody{userID}, &t)
	return t, err
}

// ConnectConsumerPeer: POST /consumer_peers/:peerId/connect.
func (a *API) ConnectConsumerPeer(ctx context.Context, peerID string, dtls domain.DtlsParameters) error {
	if err := requireIDs(peerID); err != nil {
		return err
	}
	return a.do(ctx, http.MethodPost, p("consumer_peers", peerID, "connect"), nil, dtlsBody{dtls}, nil)
}

// Consume: POST /consumer_peers/:peerId/consume; the consumer starts paused until Resume.
func (a *API) Consume(ctx context.Context, peerID, producerID string, caps domain.RtpCapabilities) (ConsumerInfo, error) {
	var out ConsumerInfo
	if err := requireIDs(peerID, producerID); err != nil {
		return out, err
	}
	in := struct {
		ProducerID      string                 `json:"producerId"`
		RtpCapabilities domain.RtpCapabilities `json:"rtpCapabilities"`
	}{producerID, caps}
	err := a.do(ctx, http.MethodPost, p("consumer_peers", peerID, "consume"), nil, in, &out)
	return out, err
}

// Resume: POST /consumer_peers/:peerId/resume.
func (a *API) Resume(ctx context.Context, peerID, consumerID string) error {
	if err := requireIDs(peerID, consumerID); err != nil {
		return err
	}
	in := struct {
		ConsumerID string `json:"consumerId"`
	}{consumerID}
	return a.do(ctx, http.MethodPost, p("consumer_peers", peerID, "resume"), nil, in, nil)
}

// Pause: POST /consumer_peers/:peerId/pause; the consumer receives nothing until Resume.
func (a *API) Pause(ctx context.Context, peerID, consumerID string) error {
	if err := requireIDs(peerID, consumerID); err != nil {
		return err
	}
	in := struct {
		ConsumerID string `json:"consumerId"`
	}{consumerID}
	return a.do(ctx, http.MethodPost, p("consumer_peers", peerID, "pause"), nil, in, nil)
}

// Logout: POST /user/:userId/logout; roomID "" closes the user's peers in every room.
func (a *API) Logout(ctx context.Context, userID, roomID string) error {
	if err := requireIDs(userID); err != nil {
		return err
	}
	in := struct {
		RoomID string `json:"roomId,omitempty"`
	}{roomID}
	return a.do(ctx, http.MethodPost, p("user", userID, "logout"), nil, in, nil)
}
