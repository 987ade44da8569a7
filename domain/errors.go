package domain

import (
	"errors"
	"fmt"
)

// Sentinel errors. Adapters wrap them with %w and the HTTP adapter maps each to a status (one table, in
// adapters/http). Every error a use case returns should match one of these with errors.Is.
var (
	// ErrInvalidInput: a request or parameter failed validation (400).
	ErrInvalidInput = errors.New("invalid input")
	// ErrWrongPeerKind: the peer exists but is of the other kind, e.g. produce on a consumer peer (400).
	ErrWrongPeerKind = errors.New("wrong peer kind")
	// ErrCannotConsume: the consumer's rtpCapabilities cannot receive the producer (400, as mediasoup-client's
	// "cannot consume this Producer").
	ErrCannotConsume = errors.New("cannot consume")
	// ErrUnsupported: a valid request the cluster does not implement yet, e.g. simulcast (400).
	ErrUnsupported = errors.New("unsupported")

	ErrRoomNotFound      = errors.New("room not found")
	ErrRouterNotFound    = errors.New("router not found")
	ErrPeerNotFound      = errors.New("peer not found")
	ErrProducerNotFound  = errors.New("producer not found")
	ErrConsumerNotFound  = errors.New("consumer not found")
	ErrSlaveNotFound     = errors.New("slave not found")
	ErrPipeNotFound      = errors.New("pipe not found")
	ErrTransportNotFound = errors.New("transport not found")
	// ErrDataProducerNotFound and ErrDataConsumerNotFound: unknown data producer or data consumer (404).
	ErrDataProducerNotFound = errors.New("data producer not found")
	ErrDataConsumerNotFound = errors.New("data consumer not found")

	// ErrSctpNotEnabled: produce_data or consume_data on a transport created without sctpCapabilities (400).
	ErrSctpNotEnabled = errors.New("sctp not enabled")

	// ErrRoomNotEmpty: DELETE /rooms/:id while peers remain (409).
	ErrRoomNotEmpty = errors.New("room not empty")
	// ErrConflict: a row with the same unique key exists (409), e.g. a second router for (room, slave).
	ErrConflict = errors.New("conflict")
	// ErrAlreadyConnected: connect called twice on one transport (409).
	ErrAlreadyConnected = errors.New("already connected")

	// ErrLimitReached: a configured limit is reached, e.g. peers per room or producers per peer (409).
	ErrLimitReached = errors.New("limit reached")
	// ErrUnauthorized: no valid credentials (401). ErrForbidden: valid credentials that do not allow this (403).
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")

	// ErrNoSlaveCapacity: no alive slave of the role has a free transport slot (503).
	ErrNoSlaveCapacity = errors.New("no slave with capacity")
	// ErrSlaveFailed: a slave call failed or timed out (502).
	ErrSlaveFailed = errors.New("slave call failed")
	// ErrSlaveUnreachable: a slave call got no answer at all (connection refused or reset, timeout): an
	// ErrSlaveFailed (502) that marks the slave suspect and that a use case may retry on another slave.
	ErrSlaveUnreachable = fmt.Errorf("%w: unreachable", ErrSlaveFailed)
	// ErrUnavailable: a dependency of the master (the database) is down (503).
	ErrUnavailable = errors.New("service unavailable")
)
