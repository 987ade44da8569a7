package application

import (
	"context"
	"encoding/json"
	"time"
)

// EventType names a room event.
type EventType string

const (
	EventProducerAdded   EventType = "producer_added"
	EventProducerRemoved EventType = "producer_removed"
	EventProducerPaused  EventType = "producer_paused"
	EventProducerResumed EventType = "producer_resumed"
	EventPeerLeft        EventType = "peer_left"
	// Data producers (data channels) added to and removed from the room.
	EventDataProducerAdded   EventType = "data_producer_added"
	EventDataProducerRemoved EventType = "data_producer_removed"
	EventRoomDeleted         EventType = "room_deleted"
	// The room's producer slave died: its router moved to another producer slave and the producers named in
	// ProducerIDs ended; publishers produce again into the same room.
	EventProducerSlaveLost EventType = "producer_slave_lost"
	// From the producer slaves' observers (media_events.go).
	EventVolumes       EventType = "volumes"
	EventActiveSpeaker EventType = "active_speaker"
	EventProducerScore EventType = "producer_score"
)

// RoomEvent is published after the store changed.
type RoomEvent struct {
	// Seq is the event's sequence id (the SSE stream's `id:`), assigned by the bus when it keeps the event; it
	// grows with each event kept, so a client that reconnects asks for what came after the last one it saw.
	Seq        int64     `json:"seq,omitempty"`
	Type       EventType `json:"type"`
	RoomID     string    `json:"roomId"`
	PeerID     string    `json:"peerId,omitempty"`
	UserID     string    `json:"userId,omitempty"`
	ProducerID string    `json:"producerId,omitempty"`
	Kind       string    `json:"kind,omitempty"`
	// ProducerIDs are the producers that ended with their slave (producer_slave_lost).
	ProducerIDs []string `json:"producerIds,omitempty"`
	// AppData is the producer's appData (producer_added, data_producer_added).
	AppData json.RawMessage `json:"appData,omitempty"`
	// DataProducerID, Label and Protocol name a data producer (data_producer_added, data_producer_removed).
	DataProducerID string `json:"dataProducerId,omitempty"`
	Label          string `json:"label,omitempty"`
	Protocol       string `json:"protocol,omitempty"`
	// Volumes are the loudest producers, loudest first (volumes only).
	Volumes []ProducerVolume `json:"volumes,omitempty"`
	// Score is the producer's new score, 0–10 (producer_score only).
	Score *int `json:"score,omitempty"`
}

// EventPublisher fans room events out to listeners (the SSE endpoint). Publish never blocks.
type EventPublisher interface {
	Publish(ctx context.Context, e RoomEvent)
}

type noEvents struct{}

func (noEvents) Publish(context.Context, RoomEvent) {}

// EventBus is an EventPublisher that listeners can subscribe to, per room (the SSE endpoint's source).
type EventBus interface {
	EventPublisher
	// Subscribe returns the room's events from now on; cancel ends the subscription and closes the channel.
	// A listener that does not keep up loses events rather than slowing the publisher.
	Subscribe(roomID string) (events <-chan RoomEvent, cancel func())
	// Replay returns the room's kept events after sequence id after, oldest first (at most MaxReplay): what a
	// stream that reconnects missed. Events are kept for a bounded time (EVENT_RETENTION); older ones are gone.
	Replay(ctx context.Context, roomID string, after int64) ([]RoomEvent, error)
}

// MaxReplay bounds the events one Replay returns.
const MaxReplay = 1000

// DefaultEventRetention is how long the buses keep events for Replay unless EVENT_RETENTION says otherwise.
const DefaultEventRetention = 5 * time.Minute
