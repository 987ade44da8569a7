package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Media events come from the producer slaves' observers (audio levels, dominant speaker, stream scores): a slave
// posts them to the master's registry in batches (POST /slaves/:id/media_events, as it reports closed
// transports), and the master publishes each as a room event, so every master's event streams carry it.

// ProducerVolume is one producer's average audio level over the last volumes interval, in dBov (0 loudest,
// -127 silence).
type ProducerVolume struct {
	ProducerID string `json:"producerId"`
	Volume     int    `json:"volume"`
}

// MediaEvent is one observation of a slave: volumes (the loudest producers of one router; ProducerID is the
// loudest), active_speaker (ProducerID took the floor) or producer_score (ProducerID's score changed by 2 or
// more).
type MediaEvent struct {
	Type       EventType        `json:"type"`
	ProducerID string           `json:"producerId"`
	Volumes    []ProducerVolume `json:"volumes,omitempty"`
	Score      *int             `json:"score,omitempty"`
}

// MaxMediaEvents bounds one batch: a slave reports a few events per room per second.
const MaxMediaEvents = 1000

// MediaEvents publishes a slave's batch as room events. Events of producers the store no longer knows (closed
// meanwhile) are dropped; a malformed event fails the whole batch before anything is published.
func (u *Slaves) MediaEvents(ctx context.Context, slaveID string, events []MediaEvent) error {
	if len(events) > MaxMediaEvents {
		return fmt.Errorf("%w: at most %d media events per batch", domain.ErrInvalidInput, MaxMediaEvents)
	}
	for i, e := range events {
		if err := e.validate(); err != nil {
			return fmt.Errorf("%w: event %d: %w", domain.ErrInvalidInput, i, err)
		}
	}
	if _, err := u.d.Slaves.Get(ctx, slaveID); err != nil {
		return err
	}
	for _, e := range events {
		p, err := u.d.Rooms.GetProducer(ctx, e.ProducerID)
		if errors.Is(err, domain.ErrProducerNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		re := RoomEvent{Type: e.Type, RoomID: p.RoomID, Volumes: e.Volumes, Score: e.Score}
		if e.Type != EventVolumes {
			re.ProducerID, re.Kind = p.ID, string(p.Kind)
		}
		u.d.Events.Publish(ctx, re)
	}
	return nil
}

func (e MediaEvent) validate() error {
	if e.ProducerID == "" {
		return errors.New("producerId is required")
	}
	switch e.Type {
	case EventVolumes:
		if len(e.Volumes) == 0 || len(e.Volumes) > 100 {
			return errors.New("volumes must list 1 to 100 producers")
		}
		for _, v := range e.Volumes {
			if v.ProducerID == "" || v.Volume < -127 || v.Volume > 0 {
				return errors.New("a volume needs a producerId and a level in -127..0 dBov")
			}
		}
	case EventActiveSpeaker:
	case EventProducerScore:
		if e.Score == nil || *e.Score < 0 || *e.Score > 10 {
			return errors.New("score must be 0..10")
		}
	default:
		return fmt.Errorf("unknown media event type %q", e.Type)
	}
	return nil
}
