package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// registration keeps a slave registered with the master: it registers once the SFU and the internal API are up,
// heartbeats every interval with the node's load and CPU, registers again when the master forgot it (reaped
// during a network split, or a fresh database), and deregisters on graceful stop.
type registration struct {
	log      *zap.Logger
	registry *httpapi.RegistryClient
	node     application.SFUNode
	// reset drops every object of the node when the master has forgotten this slave (nil: nothing to drop).
	reset    func(ctx context.Context) error
	input    application.RegisterInput
	interval time.Duration
	// drain is how long stop waits for the node's transports to close (DRAIN_TIMEOUT); 0 does not wait.
	drain time.Duration

	mu     sync.Mutex
	id     string
	lastOK time.Time // the master's last accepted register or heartbeat
	ending bool      // stop began: draining, not ready for new work
	cancel context.CancelFunc
	done   chan struct{}
	kick   chan struct{} // a heartbeat now, not at the next tick (the drain's start)
	cpu    cpuMeter
}

// ID is the id the master gave this slave ("" before registration).
func (r *registration) ID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.id
}

// start runs the loop until stop.
func (r *registration) start() {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done, r.kick = cancel, make(chan struct{}), make(chan struct{}, 1)
	go r.loop(ctx)
}

func (r *registration) loop(ctx context.Context) {
	defer close(r.done)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		if r.ID() == "" {
			r.register(ctx)
		} else {
			r.beat(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.kick:
		}
	}
}

func (r *registration) register(ctx context.Context) {
	id, err := r.registry.Register(ctx, r.input)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("register with master failed; retrying", zap.Error(err))
		}
		return
	}
	r.mu.Lock()
	r.id, r.lastOK = id, time.Now()
	r.mu.Unlock()
	r.log.Info("registered with master", zap.String("slave_id", id), zap.String("api_url", r.input.APIURL))
}

func (r *registration) beat(ctx context.Context) {
	stats, err := r.node.Stats(ctx)
	if err != nil {
		r.log.Warn("read node stats", zap.Error(err))
	}
	cpu, total := r.cpu.sample()
	load := domain.SlaveLoad{Transports: stats.Transports, Routers: stats.Routers, Producers: stats.Producers,
		Consumers: stats.Consumers, CPU: cpu, PacketsOut: stats.PacketsOut, CPUSeconds: total,
		ReceiveDrops: stats.ReceiveDrops, Draining: r.stopping()}
	err = r.registry.Heartbeat(ctx, r.ID(), load)
	switch {
	case err == nil:
		r.mu.Lock()
		r.lastOK = time.Now()
		r.mu.Unlock()
	case errors.Is(err, domain.ErrSlaveNotFound):
		// Reaped (a network split longer than SLAVE_TIMEOUT) or a fresh database: the master removed every row
		// of this slave's objects, so they are dropped here too before registering as a new slave.
		r.log.Warn("master forgot this slave; dropping its routers and registering again", zap.String("slave_id", r.ID()))
		if r.reset != nil {
			if err := r.reset(ctx); err != nil {
				r.log.Warn("drop routers", zap.Error(err))
			}
		}
		r.mu.Lock()
		r.id = ""
		r.mu.Unlock()
		r.register(ctx)
	case ctx.Err() == nil:
		r.log.Warn("heartbeat failed", zap.Error(err))
	}
}

// Ready is the slave's readiness (GET /readyz): registered, the master answered a heartbeat within the last three
// intervals (as long as the master waits before declaring a slave dead), and not stopping. The SFU node exists
// before the registration starts, so a registered slave has one.
func (r *registration) Ready(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.ending:
		return fmt.Errorf("%w: the slave is stopping", domain.ErrUnavailable)
	case r.id == "":
		return fmt.Errorf("%w: not registered with a master yet", domain.ErrUnavailable)
	case time.Since(r.lastOK) > 3*r.interval:
		return fmt.Errorf("%w: no heartbeat accepted by the master for %s", domain.ErrUnavailable, time.Since(r.lastOK).Round(time.Second))
	}
	return nil
}

// stop ends the loop and deregisters (the master then cleans this slave's rows).
func (r *registration) stop(ctx context.Context) error {
	r.mu.Lock()
	r.ending = true
	r.mu.Unlock()
	r.drainCalls(ctx)
	if r.cancel != nil {
		r.cancel()
		<-r.done
	}
	id := r.ID()
	if id == "" {
		return nil
	}
	if err := r.registry.Deregister(ctx, id); err != nil && !errors.Is(err, domain.ErrSlaveNotFound) {
		r.log.Warn("deregister failed", zap.Error(err))
	}
	return nil
}

func (r *registration) stopping() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ending
}

// drainCalls waits, up to the drain timeout, for the node's transports to close: it reports itself draining at
// once (the heartbeat loop keeps going, so the master does not take it for dead), the master then places nothing
// new on it, and the calls it has end on their own. What is left when the time is up is closed with the node.
func (r *registration) drainCalls(ctx context.Context) {
	if r.drain <= 0 || r.ID() == "" || r.node == nil || r.kick == nil {
		return
	}
	select { // the loop beats at once, so the master learns of the drain now, not at the next tick
	case r.kick <- struct{}{}:
	default:
	}
	ctx, cancel := context.WithTimeout(ctx, r.drain)
	defer cancel()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		st, err := r.node.Stats(ctx)
		if err == nil && st.Transports == 0 {
			r.log.Info("drained: no transport left")
			return
		}
		select {
		case <-ctx.Done():
			r.log.Warn("drain timeout: closing the remaining transports", zap.Int("transports", st.Transports))
			return
		case <-t.C:
		}
	}
}

// reportClosed tells the master a transport died on the media side, without blocking the media path.
func (r *registration) reportClosed(transportID string, reason error) {
	id := r.ID()
	if id == "" {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := r.registry.TransportClosed(ctx, id, transportID); err != nil {
			r.log.Warn("report closed transport", zap.String("transport_id", transportID), zap.Error(err))
		}
	}()
	r.log.Info("transport closed on the media side", zap.String("transport_id", transportID), zap.NamedError("reason", reason))
}

// cpuMeter measures the process's CPU use between samples, as a fraction of one core.
type cpuMeter struct {
	lastCPU  time.Duration
	lastWall time.Time
}

// sample returns the fraction of a core used since the last sample and the process's total CPU seconds.
func (m *cpuMeter) sample() (float64, float64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	now := time.Now()
	var frac float64
	if !m.lastWall.IsZero() {
		if wall := now.Sub(m.lastWall); wall > 0 {
			frac = float64(cpu-m.lastCPU) / float64(wall)
		}
	}
	m.lastCPU, m.lastWall = cpu, now
	return frac, cpu.Seconds()
}
