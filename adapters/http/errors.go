// Package httpapi holds the cluster's HTTP adapters: the master's public API, the slave's internal API, and the
// HTTP client that implements application.SFUNode for the master.
package httpapi

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ErrorBody is every error answer of both APIs: {"code": 404, "error": "room_not_found", "message": "..."}.
type ErrorBody struct {
	Code    int    `json:"code"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

// errTooManyRequests is the rate limiter's refusal (429); it has no domain meaning.
var errTooManyRequests = errors.New("too many requests")

// errorKind is one row of the table from domain sentinel to HTTP status and snake_case name.
type errorKind struct {
	err    error
	status int
	name   string
}

// errorTable is the one place that maps domain errors to statuses. Order matters: the first match wins, so the
// more specific sentinels come first.
var errorTable = []errorKind{
	{domain.ErrRoomNotFound, http.StatusNotFound, "room_not_found"},
	{domain.ErrRouterNotFound, http.StatusNotFound, "router_not_found"},
	{domain.ErrPeerNotFound, http.StatusNotFound, "peer_not_found"},
	{domain.ErrProducerNotFound, http.StatusNotFound, "producer_not_found"},
	{domain.ErrConsumerNotFound, http.StatusNotFound, "consumer_not_found"},
	{domain.ErrSlaveNotFound, http.StatusNotFound, "slave_not_found"},
	{domain.ErrPipeNotFound, http.StatusNotFound, "pipe_not_found"},
	{domain.ErrTransportNotFound, http.StatusNotFound, "transport_not_found"},
	{domain.ErrDataProducerNotFound, http.StatusNotFound, "data_producer_not_found"},
	{domain.ErrDataConsumerNotFound, http.StatusNotFound, "data_consumer_not_found"},
	{domain.ErrSctpNotEnabled, http.StatusBadRequest, "sctp_not_enabled"},
	{domain.ErrWrongPeerKind, http.StatusBadRequest, "wrong_peer_kind"},
	{domain.ErrCannotConsume, http.StatusBadRequest, "cannot_consume"},
	{domain.ErrUnsupported, http.StatusBadRequest, "unsupported"},
	{domain.ErrInvalidInput, http.StatusBadRequest, "invalid_input"},
	{domain.ErrUnauthorized, http.StatusUnauthorized, "unauthorized"},
	{domain.ErrForbidden, http.StatusForbidden, "forbidden"},
	{domain.ErrRoomNotEmpty, http.StatusConflict, "room_not_empty"},
	{domain.ErrLimitReached, http.StatusConflict, "limit_reached"},
	{domain.ErrAlreadyConnected, http.StatusConflict, "already_connected"},
	{domain.ErrConflict, http.StatusConflict, "conflict"},
	{domain.ErrNoSlaveCapacity, http.StatusServiceUnavailable, "no_slave_capacity"},
	{domain.ErrUnavailable, http.StatusServiceUnavailable, "unavailable"},
	{domain.ErrSlaveFailed, http.StatusBadGateway, "slave_failed"},
	{errTooManyRequests, http.StatusTooManyRequests, "too_many_requests"},
	{errUnsupportedMediaType, http.StatusUnsupportedMediaType, "unsupported_media_type"},
}

// classify maps an error to its status and name; anything unknown is a 500 "internal".
func classify(err error) (int, string) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case http.StatusNotFound:
			return fe.Code, "route_not_found"
		case http.StatusRequestEntityTooLarge:
			return fe.Code, "body_too_large"
		case http.StatusRequestHeaderFieldsTooLarge:
			// fasthttp's read buffer (4 KiB) bounds the request line and headers; Fiber hands the overflow here.
			return fe.Code, "headers_too_large"
		case http.StatusMethodNotAllowed:
			return fe.Code, "method_not_allowed"
		case http.StatusUnauthorized:
			return fe.Code, "unauthorized"
		case http.StatusTooManyRequests:
			return fe.Code, "too_many_requests"
		default:
			if fe.Code >= 400 && fe.Code < 500 {
				return fe.Code, "bad_request"
			}
		}
	}
	for _, k := range errorTable {
		if errors.Is(err, k.err) {
			return k.status, k.name
		}
	}
	return http.StatusInternalServerError, "internal"
}

// sentinelByName is the reverse table: the SFUNode HTTP client turns a slave's error name back into the sentinel.
func sentinelByName(name string) (error, bool) {
	for _, k := range errorTable {
		if k.name == name {
			return k.err, true
		}
	}
	return nil, false
}

// errorHandler is the Fiber ErrorHandler of both APIs: it writes ErrorBody with the mapped status. Internal errors
// carry no detail to the client (the message is logged by the caller's logger middleware).
func errorHandler(c *fiber.Ctx, err error) error {
	status, name := classify(err)
	msg := err.Error()
	if status == http.StatusInternalServerError {
		msg = "internal error"
	}
	return c.Status(status).JSON(ErrorBody{Code: status, Error: name, Message: msg})
}
