package main

import (
	"context"
	"fmt"
	"time"

	"github.com/sfu-cluster/sfu-cluster/client"
)

// publisherConnectTimeout bounds one publisher's ICE+DTLS setup.
const publisherConnectTimeout = 20 * time.Second

// setUpRoom creates the room and its publishers, and waits until each publisher's transport is connected so that
// media flows before the first subscriber arrives.
func (r *runner) setUpRoom(ctx context.Context) error {
	room, err := r.api.CreateRoom(ctx)
	if err != nil {
		return fmt.Errorf("create room: %w", err)
	}
	r.roomID = room.ID
	r.logf("room %s created; starting %d publisher(s)", room.ID, r.cfg.Publishers)
	for i := range r.cfg.Publishers {
		user := fmt.Sprintf("lt-%s-pub-%03d", r.runID, i)
		r.pubUsers = append(r.pubUsers, user)
		pub, err := client.Publish(ctx, r.api, room.ID, user, r.cfg.Audio, r.cfg.Video, r.opts...)
		if err != nil {
			return fmt.Errorf("publisher %d: %w", i, err)
		}
		r.mu.Lock() // the progress line reads the publishers' counters
		r.publishers = append(r.publishers, pub)
		r.mu.Unlock()
		cctx, cancel := context.WithTimeout(ctx, publisherConnectTimeout)
		err = pub.Transport.WaitConnected(cctx)
		cancel()
		if err != nil {
			return fmt.Errorf("publisher %d: transport not connected: %w", i, err)
		}
		r.producerIDs = append(r.producerIDs, pub.ProducerIDs()...)
	}
	return nil
}

// packetsSent sums what the publishers' sources sent.
func (r *runner) packetsSent() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n uint64
	for _, p := range r.publishers {
		for _, s := range p.Sources {
			n += s.PacketsSent()
		}
	}
	return n
}
