package main

import (
	"context"
	"fmt"
)

// seed creates a room with the publishers, prints one line for scripts,
//
//	SEED room_id=<id> producer_peers=<n> producers=<n>
//
// and keeps the publishers sending until ctx ends (a producer peer whose client went away would be closed by its
// slave once ICE times out, and the benchmark would read an emptying room). Then it cleans up.
func (r *runner) seed(ctx context.Context) error {
	err := r.setUpRoom(ctx)
	if err == nil {
		var rows []string
		peers, lerr := r.api.ListProducerPeers(ctx, r.roomID)
		err = lerr
		if err == nil {
			distinct := map[string]bool{}
			for _, p := range peers {
				distinct[p.ID] = true
				rows = append(rows, p.ProducerID)
			}
			fmt.Fprintf(r.stdout, "SEED room_id=%s producer_peers=%d producers=%d\n", r.roomID, len(distinct), len(rows))
			r.logf("seeded; holding the publishers until interrupted")
			<-ctx.Done()
		}
	}
	r.logf("cleanup: %s", r.cleanup())
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}
