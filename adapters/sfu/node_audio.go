package sfu

import (
	"time"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/audiolevel"
	"github.com/sfu-cluster/sfu-cluster/application"
)

// scoreEventDelta is how much a producer's score must move for a producer_score event.
const scoreEventDelta = 2

// observerConfig is the audio observers' config (the defaults for the zero value), checked.
func observerConfig(nc NodeConfig) (audiolevel.Config, error) {
	cfg := nc.AudioObserver
	if cfg == (audiolevel.Config{}) {
		cfg = audiolevel.DefaultConfig()
	}
	if nc.OnMediaEvents == nil {
		return cfg, nil
	}
	return cfg, cfg.Validate()
}

// startObservers starts the observer goroutine when someone listens (NodeConfig.OnMediaEvents).
func (n *Node) startObservers(cfg audiolevel.Config) {
	if n.cfg.OnMediaEvents == nil {
		return
	}
	n.loopDone.Add(1)
	go n.observeLoop(cfg)
}

// routerObserver is the audio observer of one router and the producers it saw last tick.
type routerObserver struct {
	obs  *audiolevel.Observer
	seen map[string]bool
}

// observeLoop is the observers' goroutine: every tick it takes the audio levels each local audio producer
// summed (producers piped in from another slave are observed on their own slave), feeds each router's
// observer, and once per report interval compares producers' scores with the last ones reported.
func (n *Node) observeLoop(cfg audiolevel.Config) {
	defer n.loopDone.Done()
	ticker := time.NewTicker(cfg.Tick)
	defer ticker.Stop()
	observers := map[string]*routerObserver{}
	scores := map[string]int{}
	var lastScores time.Time
	for {
		select {
		case <-n.stop:
			return
		case wall := <-ticker.C:
			events := n.observeAudio(cfg, observers)
			if wall.Sub(lastScores) >= reportInterval {
				lastScores = wall
				events = n.scoreEvents(scores, events)
			}
			if len(events) > 0 {
				n.cfg.OnMediaEvents(events)
			}
		}
	}
}

// observedProducers lists each router's local audio producers that carry levels, and the local producers
// whose scores are reported.
func (n *Node) observedProducers() (audio map[string][]*producer, scored []*producer) {
	audio = map[string][]*producer{}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, r := range n.routers {
		list := []*producer{}
		for _, p := range r.producers {
			if p.viaPipe {
				continue
			}
			scored = append(scored, p)
			if p.levels.extID != 0 {
				list = append(list, p)
			}
		}
		audio[r.id] = list
	}
	return audio, scored
}

func (n *Node) observeAudio(cfg audiolevel.Config, observers map[string]*routerObserver) []application.MediaEvent {
	audio, _ := n.observedProducers()
	for id := range observers {
		if _, ok := audio[id]; !ok {
			delete(observers, id)
		}
	}
	var events []application.MediaEvent
	for routerID, producers := range audio {
		ro := observers[routerID]
		if ro == nil {
			if len(producers) == 0 {
				continue
			}
			obs, err := audiolevel.New(cfg)
			if err != nil {
				continue // validated by startObservers
			}
			ro = &routerObserver{obs: obs, seen: map[string]bool{}}
			observers[routerID] = ro
		}
		samples := make([]audiolevel.Sample, 0, len(producers))
		now := make(map[string]bool, len(producers))
		for _, p := range producers {
			sum, count := p.takeAudioLevels()
			if p.paused.Load() || p.closed.Load() {
				continue // a paused producer is silent, and loses the floor as if it had left
			}
			now[p.id] = true
			samples = append(samples, audiolevel.Sample{ProducerID: p.id, Sum: sum, Count: count})
		}
		for id := range ro.seen {
			if !now[id] {
				ro.obs.Remove(id)
			}
		}
		ro.seen = now
		r := ro.obs.Tick(samples)
		if len(r.Volumes) > 0 {
			vols := make([]application.ProducerVolume, len(r.Volumes))
			for i, v := range r.Volumes {
				vols[i] = application.ProducerVolume{ProducerID: v.ProducerID, Volume: v.Volume}
			}
			events = append(events, application.MediaEvent{Type: application.EventVolumes, ProducerID: vols[0].ProducerID, Volumes: vols})
		}
		if r.SpeakerChanged {
			events = append(events, application.MediaEvent{Type: application.EventActiveSpeaker, ProducerID: r.Speaker})
		}
	}
	return events
}

// scoreEvents appends a producer_score event for each local producer whose score moved by scoreEventDelta or
// more since the last one reported (a producer starts at 10).
func (n *Node) scoreEvents(last map[string]int, events []application.MediaEvent) []application.MediaEvent {
	_, producers := n.observedProducers()
	alive := make(map[string]bool, len(producers))
	for _, p := range producers {
		alive[p.id] = true
		score := p.score()
		if score < 0 {
			continue // nothing received yet
		}
		prev, ok := last[p.id]
		if !ok {
			prev = 10
		}
		if score-prev >= scoreEventDelta || prev-score >= scoreEventDelta {
			s := score
			events = append(events, application.MediaEvent{Type: application.EventProducerScore, ProducerID: p.id, Score: &s})
			last[p.id] = score
		} else if !ok {
			last[p.id] = prev
		}
	}
	for id := range last {
		if !alive[id] {
			delete(last, id)
		}
	}
	return events
}
