package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/sfu-cluster/sfu-cluster/client"
)

// dataHeader is what every -data message starts with: publisher index, sequence number, send time (ns).
const dataHeader = 20

// dataLoad is one -data run: publishers with one reliable, ordered data producer each, subscribers reading every
// one of them (through their consumer routers, so across the pipes), and what the subscribers received.
type dataLoad struct {
	mu        sync.Mutex
	latencies []time.Duration
	received  int
	reordered int
	next      map[[2]int]uint32 // (subscriber, publisher) → next expected sequence number
}

// dataTest runs -data: -publishers each send -data-rate messages of -data-size bytes a second for -duration to
// -subscribers, and the summary reports delivery, order and latency percentiles.
func (r *runner) dataTest(ctx context.Context) error {
	room, err := r.api.CreateRoom(ctx)
	if err != nil {
		return fmt.Errorf("create room: %w", err)
	}
	r.roomID = room.ID
	defer func() { fmt.Fprint(r.stderr, r.cleanup()) }()
	var pubs []*client.DataPublisher
	defer func() {
		for _, p := range pubs {
			_ = p.Close()
		}
	}()
	var ids []string
	for i := range r.cfg.Publishers {
		user := fmt.Sprintf("lt-%s-dpub-%d", r.runID, i)
		r.pubUsers = append(r.pubUsers, user)
		p, err := client.PublishData(ctx, r.api, room.ID, user, client.DataOptions{Label: "loadtest"}, r.opts...)
		if err != nil {
			return fmt.Errorf("publisher %d: %w", i, err)
		}
		pubs = append(pubs, p)
		ids = append(ids, p.Producer.ID)
	}
	load := &dataLoad{next: map[[2]int]uint32{}}
	var subs []*client.DataSubscriber
	defer func() {
		for _, s := range subs {
			_ = s.Close()
		}
	}()
	for i := range r.cfg.Subscribers {
		user := fmt.Sprintf("lt-%s-dsub-%d", r.runID, i)
		r.pubUsers = append(r.pubUsers, user) // logged out by cleanup too
		s, err := client.SubscribeData(ctx, r.api, room.ID, user, ids, r.opts...)
		if err != nil {
			return fmt.Errorf("subscriber %d: %w", i, err)
		}
		subs = append(subs, s)
		for _, c := range s.Consumers {
			c.Channel.OnMessage(func(m webrtc.DataChannelMessage) { load.add(i, m.Data) })
		}
	}
	if err := waitOpen(ctx, pubs, subs, r.cfg.Settle+10*time.Second); err != nil {
		return err
	}
	r.logf("data: %d publishers, %d subscribers, %d data consumers open; sending %d msg/s each for %s",
		len(pubs), len(subs), len(subs)*len(pubs), r.cfg.DataRate, r.cfg.Duration)
	sent := r.sendData(ctx, pubs) * len(pubs)
	want := sent * len(subs)
	deadline := time.Now().Add(r.cfg.Settle + 5*time.Second)
	for time.Now().Before(deadline) && load.count() < want && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond) // draining: what is still in flight arrives within the settle time
	}
	r.dataSummary(load, sent, want)
	return nil
}

// waitOpen waits until every publisher's and subscriber's data channel is open.
func waitOpen(ctx context.Context, pubs []*client.DataPublisher, subs []*client.DataSubscriber, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		open := true
		for _, p := range pubs {
			open = open && p.Producer.Channel.ReadyState() == webrtc.DataChannelStateOpen
		}
		for _, s := range subs {
			for _, c := range s.Consumers {
				open = open && c.Channel.ReadyState() == webrtc.DataChannelStateOpen
			}
		}
		switch {
		case open:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case time.Now().After(deadline):
			return errors.New("data channels not open in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sendData paces every publisher at -data-rate for -duration and returns the messages each sent.
func (r *runner) sendData(ctx context.Context, pubs []*client.DataPublisher) int {
	interval := time.Second / time.Duration(r.cfg.DataRate)
	n := int(r.cfg.Duration / interval)
	var wg sync.WaitGroup
	for pi, p := range pubs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := make([]byte, r.cfg.DataSize)
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for seq := range n {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				binary.BigEndian.PutUint32(msg, uint32(pi))                        //nolint:gosec // small
				binary.BigEndian.PutUint32(msg[4:], uint32(seq))                   //nolint:gosec // small
				binary.BigEndian.PutUint64(msg[8:], uint64(time.Now().UnixNano())) //nolint:gosec // after 1970
				if err := p.Producer.Channel.Send(msg); err != nil {
					r.logf("data: publisher %d: %v", pi, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return n
}

func (l *dataLoad) add(sub int, m []byte) {
	if len(m) < dataHeader {
		return
	}
	pub := int(binary.BigEndian.Uint32(m))
	seq := binary.BigEndian.Uint32(m[4:])
	lat := time.Since(time.Unix(0, int64(binary.BigEndian.Uint64(m[8:])))) //nolint:gosec // our own timestamps
	l.mu.Lock()
	defer l.mu.Unlock()
	k := [2]int{sub, pub}
	if seq != l.next[k] {
		l.reordered++
	}
	l.next[k] = seq + 1
	l.received++
	l.latencies = append(l.latencies, lat)
}

func (l *dataLoad) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.received
}

// dataSummary prints the summary and the RESULT line.
func (r *runner) dataSummary(l *dataLoad, sent, want int) { // sent: by all publishers
	l.mu.Lock()
	defer l.mu.Unlock()
	lat := slices.Clone(l.latencies)
	slices.Sort(lat)
	p := func(q float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*q))].Microseconds()) / 1000
	}
	loss := 0.0
	if want > 0 {
		loss = 100 * float64(want-l.received) / float64(want)
	}
	fmt.Fprintf(r.stdout, "data: %d messages sent, %d deliveries expected, %d received, %d out of order\n",
		sent, want, l.received, l.reordered)
	fmt.Fprintf(r.stdout, "data latency: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms\n", p(0.5), p(0.95), p(0.99))
	fmt.Fprintf(r.stdout, "RESULT data_sent=%d data_expected=%d data_received=%d data_loss_pct=%.3f data_reordered=%d data_latency_p50_ms=%.2f data_latency_p95_ms=%.2f data_latency_p99_ms=%.2f\n",
		sent, want, l.received, loss, l.reordered, p(0.5), p(0.95), p(0.99))
}
