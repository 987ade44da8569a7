package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/sfu-cluster/sfu-cluster/client"
)

// runner holds one run's clients and what it created, so that cleanup finds everything.
type runner struct {
	cfg            config
	api            *client.API
	apis           []*client.API // -api-only: the master and -api-masters, alternated by the viewers
	hc             *http.Client
	lister         slaveLister
	opts           []client.Option
	stdout, stderr io.Writer
	runID          string // in every user id, so that two runs never log out each other's users

	roomID      string
	publishers  []*client.Publisher
	pubUsers    []string // every publisher user that was tried, for logout
	producerIDs []string

	timing clusterTiming // the cluster's timing histograms before the joins (cluster_timing.go)

	mu   sync.Mutex
	subs []*subscriber // every subscriber that was tried, in start order
	// apiUsers are the -api-only viewers, for the cleanup.
	apiUsers []string
}

func newRunner(cfg config, stdout, stderr io.Writer) (*runner, error) {
	// One shared keep-alive pool sized for the joins in flight: the default of 2 idle connections per host would
	// open and close a connection for most requests and leave thousands of sockets in TIME_WAIT.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = cfg.JoinConcurrency + 16
	tr.MaxIdleConnsPerHost = cfg.JoinConcurrency + 16
	hc := &http.Client{Timeout: cfg.HTTPTimeout, Transport: tr}
	api, err := client.NewAPI(cfg.MasterURL, client.WithHTTPClient(hc))
	if err != nil {
		return nil, err
	}
	var id [4]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	apis := []*client.API{api}
	for _, m := range cfg.APIMasters {
		a, err := client.NewAPI(m, client.WithHTTPClient(hc))
		if err != nil {
			return nil, err
		}
		apis = append(apis, a)
	}
	r := &runner{cfg: cfg, api: api, apis: apis, hc: hc, lister: newSlaveLister(cfg.MasterURL, cfg.Secret, hc), stdout: stdout,
		stderr: stderr, runID: hex.EncodeToString(id[:])}
	if cfg.Loopback {
		r.opts = append(r.opts, client.LoopbackOnly())
	}
	if !cfg.TransportCC {
		r.opts = append(r.opts, client.WithoutTransportCC())
	}
	if cfg.ClientRcvBuf > 0 {
		r.opts = append(r.opts, client.WithReceiveBuffer(cfg.ClientRcvBuf))
	}
	if cfg.Audio {
		r.opts = append(r.opts, client.WithAudioSource(client.WithPacketRate(cfg.AudioPPS)))
	}
	if cfg.Video && cfg.Simulcast {
		r.opts = append(r.opts, client.WithSimulcast(client.DemoSimulcastEncodings...))
	} else if cfg.Video {
		r.opts = append(r.opts, client.WithVideoSource(client.WithPacketRate(cfg.VideoPPS), client.WithPayloadSize(cfg.VideoPayload)))
	}
	return r, nil
}

// logf writes a line on stderr (the progress channel; stdout holds the summary and the RESULT line).
func (r *runner) logf(format string, a ...any) {
	fmt.Fprintf(r.stderr, "loadtest: "+format+"\n", a...)
}

// subscriber is one subscriber's attempt. Its fields are written once, under runner.mu, when the join ends.
type subscriber struct {
	userID string
	layer  int           // the spatial layer it prefers with -simulcast: its index mod the layers
	start  time.Time     // the first API call (POST /rooms/:roomId/consumer_routers)
	join   time.Duration // until every consume was resumed
	// serverTime is the master's own time on the join's requests (their Server-Timing), serverCalls how many
	// answered with one: the cluster's share of join.
	serverTime  time.Duration
	serverCalls int
	done        bool
	err         error
	sub         *client.Subscriber
}

// joined returns the subscribers whose join succeeded so far.
func (r *runner) joined() []*subscriber {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*subscriber
	for _, s := range r.subs {
		if s.done && s.err == nil {
			out = append(out, s)
		}
	}
	return out
}

// joinCounts returns started, succeeded and failed joins.
func (r *runner) joinCounts() (started, ok, failed int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.subs {
		switch {
		case !s.done:
		case s.err == nil:
			ok++
		default:
			failed++
		}
	}
	return len(r.subs), ok, failed
}
