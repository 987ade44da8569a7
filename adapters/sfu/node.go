package sfu

import (
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

var _ application.SFUNode = (*Node)(nil)

// Node is one slave's media engine (application.SFUNode): routers, WebRTC transports on one shared UDP socket,
// producers, consumers and pipe transports, every id chosen by the master.
//
// Lifecycle: NewNode (socket bound, report loop running) → Close (every object closed, every socket and
// goroutine freed), never reused. After Close, control calls fail with domain.ErrUnavailable.
type Node struct {
	cfg         NodeConfig
	log         *zap.Logger
	mux         *webrtctransport.Mux
	mediaCodecs []domain.RtpCodecCapability
	newPipe     pipeLinkFactory

	mu         sync.Mutex // control plane: every map below and the objects' registration
	closed     bool
	routers    map[string]*router
	transports map[string]*webrtcTransport
	// connected are the transports whose DTLS is done: the report loop's downlink allocation is
	// theirs (estimating), the others (a join's transports until their viewers' DTLS) have nothing to share.
	connected map[string]*webrtcTransport
	pipes     map[string]*pipeTransport
	producers map[string]*producer
	consumers map[string]*consumer // WebRTC consumers; pipe consumers live in their pipeTransport
	data      dataState            // data channels (node_data.go)

	totals mediaTotals // since NewNode; every endpoint adds to it
	fanout *fanoutPool // nil on one core

	stop     chan struct{}
	loopDone sync.WaitGroup
}

// router groups the transports and producers that can see each other. Guarded by Node.mu.
type router struct {
	id         string
	caps       domain.RtpCapabilities
	transports map[string]*webrtcTransport
	pipes      map[string]*pipeTransport
	producers  map[string]*producer
}

// NewNode validates the media codecs, binds the shared WebRTC socket and starts the report loop.
func NewNode(cfg NodeConfig) (*Node, error) {
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	codecs := cfg.MediaCodecs
	if len(codecs) == 0 {
		codecs = ortc.DefaultMediaCodecs()
	}
	if _, err := ortc.GenerateRouterRtpCapabilities(codecs); err != nil {
		return nil, fmt.Errorf("sfu: media codecs: %w", err)
	}
	observers, err := observerConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("sfu: audio observer: %w: %w", domain.ErrInvalidInput, err)
	}
	mux, err := webrtctransport.NewMux(webrtctransport.MuxConfig{
		ListenIP: cfg.ListenIP, Port: cfg.Port, AnnouncedIP: cfg.AnnouncedIP, Logger: log, Listen: cfg.WebRtcListen,
		TCPPort: cfg.TCPPort, TCPSendQueue: cfg.TCPSendQueue,
	})
	if err != nil {
		return nil, fmt.Errorf("sfu: webrtc socket: %w: %w", domain.ErrInvalidInput, err)
	}
	n := &Node{
		cfg: cfg, log: log, mux: mux, mediaCodecs: codecs, newPipe: newPipeLink,
		routers: map[string]*router{}, transports: map[string]*webrtcTransport{}, connected: map[string]*webrtcTransport{},
		pipes:     map[string]*pipeTransport{},
		producers: map[string]*producer{}, consumers: map[string]*consumer{}, data: newDataState(),
		stop: make(chan struct{}), fanout: newFanoutPool(fanoutWorkers(cfg)),
	}
	n.loopDone.Add(1)
	go n.reportLoop()
	n.startObservers(observers)
	log.Info("sfu node started", zap.String("webrtc_addr", mux.LocalAddr().String()))
	return n, nil
}

// WebRtcAddr is where the shared WebRTC socket listens (with the chosen port when NodeConfig.Port was 0).
func (n *Node) WebRtcAddr() string { return n.mux.LocalAddr().String() }

// Close closes every router (and so every transport, producer and consumer), stops the report loop and frees
// the shared socket. Idempotent.
func (n *Node) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	var later deferred
	for _, r := range n.routers {
		n.closeRouterLocked(r, &later)
	}
	n.mu.Unlock()
	later.run()
	close(n.stop)
	n.loopDone.Wait()
	err := n.mux.Close() // ends the read goroutines, the only callers of the fan-out workers
	n.fanout.close()
	n.log.Info("sfu node closed")
	return err
}

// lockOpen takes n.mu unless the node is closed.
func (n *Node) lockOpen() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return fmt.Errorf("sfu: node closed: %w", domain.ErrUnavailable)
	}
	return nil
}

// reportLoop is the node's one timer goroutine: see reports.go for what each tick sends.
func (n *Node) reportLoop() {
	defer n.loopDone.Done()
	ticker := time.NewTicker(reportTick)
	defer ticker.Stop()
	var (
		producers []*producer
		consumers []*consumer
		endpoints []*endpoint
		lastFull  time.Time
		lastAlloc int64
	)
	for {
		select {
		case <-n.stop:
			return
		case wall := <-ticker.C:
			full := wall.Sub(lastFull) >= reportInterval
			if full {
				lastFull = wall
			}
			producers, consumers = n.snapshot(producers[:0], consumers[:0])
			now := nanotime()
			for _, p := range producers {
				p.tick(now, full)
			}
			for _, c := range consumers {
				if full || c.activeNow.Load() { // between reports, only an active consumer's tick has work
					c.tick(now, wall, full)
				}
			}
			if full {
				n.sampleTransportRates(now)
			}
			endpoints = n.estimating(endpoints[:0])
			alloc := now-lastAlloc >= allocInterval
			if alloc {
				lastAlloc = now
			}
			for _, e := range endpoints {
				if alloc {
					e.allocate(now)
				}
				e.probeTick(now)
			}
			clear(endpoints)
			clear(producers)
			clear(consumers)
		}
	}
}

// snapshot appends every live producer and consumer (pipe consumers included).
func (n *Node) snapshot(ps []*producer, cs []*consumer) ([]*producer, []*consumer) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, p := range n.producers {
		ps = append(ps, p)
	}
	for _, c := range n.consumers {
		cs = append(cs, c)
	}
	for _, pt := range n.pipes {
		for _, c := range pt.consumers {
			cs = append(cs, c)
		}
	}
	return ps, cs
}

// estimating appends the endpoints of every connected WebRTC transport (they estimate their downlink). One that
// is not connected yet has nothing to share: its consumers cannot be active, so each is a fixed stream at rate 0
// to the allocator (consumer.change), and a probe needs an active one. Skipping them keeps the report loop's
// cost with the viewers that receive, not with every transport handed out (a live event's joins arrive well ahead
// of their DTLS); the first allocation after OnConnected is at most allocInterval later, as for any change.
func (n *Node) estimating(es []*endpoint) []*endpoint {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, w := range n.connected {
		es = append(es, w.endpoint)
	}
	return es
}

// markConnected adds w to the connected transports, unless it was closed meanwhile.
func (n *Node) markConnected(w *webrtcTransport) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.transports[w.id] == w {
		n.connected[w.id] = w
	}
}

// deferred collects closes to run after n.mu is released: closing a socket may wait for callbacks that
// take n.mu.
type deferred []func()

func (d *deferred) add(f func()) { *d = append(*d, f) }

func (d deferred) run() {
	for _, f := range d {
		f()
	}
}
