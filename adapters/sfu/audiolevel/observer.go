package audiolevel

import (
	"errors"
	"time"
)

// Config tunes an Observer. Levels are in dBov: 0 is the loudest, -127 silence (RFC 6464 §3 carries -dBov).
type Config struct {
	// Tick is how often the engine feeds levels (the speaker detector's resolution).
	Tick time.Duration
	// VolumesInterval is how often volumes are reported at most (mediasoup's interval, default 500 ms).
	VolumesInterval time.Duration
	// VolumesThreshold is the level below which a producer counts as silent for volumes (default -80 dBov).
	VolumesThreshold int
	// VolumesMax is how many of the loudest producers a volumes report lists (default 10).
	VolumesMax int
	// SpeakerThreshold is the level from which a tick counts as speech for the speaker detector (default -50
	// dBov: above breathing and room noise, below any voice close to a microphone).
	SpeakerThreshold int
	// SpeakerHold is how long, within a window of 5/4 of it, a new speaker must have spoken to take the floor
	// (default 800 ms; at most 48 ticks).
	SpeakerHold time.Duration
}

// DefaultConfig is mediasoup's defaults for volumes and a floor held for 800 ms.
func DefaultConfig() Config {
	return Config{Tick: 100 * time.Millisecond, VolumesInterval: 500 * time.Millisecond, VolumesThreshold: -80,
		VolumesMax: 10, SpeakerThreshold: -50, SpeakerHold: 800 * time.Millisecond}
}

// Validate reports a config the observer cannot run with.
func (c Config) Validate() error {
	switch {
	case c.Tick <= 0:
		return errors.New("audiolevel: tick must be positive")
	case c.VolumesInterval < c.Tick:
		return errors.New("audiolevel: the volumes interval must be at least one tick")
	case c.VolumesThreshold < -127 || c.VolumesThreshold > 0, c.SpeakerThreshold < -127 || c.SpeakerThreshold > 0:
		return errors.New("audiolevel: thresholds are dBov, -127..0")
	case c.VolumesMax < 1:
		return errors.New("audiolevel: volumes must list at least one producer")
	case c.SpeakerHold < c.Tick || c.SpeakerHold > 48*c.Tick:
		return errors.New("audiolevel: the speaker hold must be 1 to 48 ticks")
	}
	return nil
}

// Sample is what one producer's packets said during one tick: the sum of their levels as carried (0..127, i.e.
// -dBov) and how many packets carried one.
type Sample struct {
	ProducerID string
	Sum        uint64
	Count      uint32
}

// Volume is a producer's average level over a volumes interval, in dBov.
type Volume struct {
	ProducerID string `json:"producerId"`
	Volume     int    `json:"volume"`
}

// Result is what one tick decided.
type Result struct {
	// Volumes lists the loudest producers above the threshold, loudest first, when a volumes interval ended and
	// someone was not silent; nil otherwise.
	Volumes []Volume
	// Speaker is the dominant speaker ("" before anyone spoke); SpeakerChanged is set on the tick it changed.
	Speaker        string
	SpeakerChanged bool
}

// Observer watches one router's audio producers. Not safe for concurrent use: the engine's observer goroutine
// owns it.
type Observer struct {
	cfg      Config
	volTicks int // ticks per volumes interval
	ticks    int // since the last volumes report
	sums     map[string]*levelSum
	speakers speakerDetector
}

type levelSum struct {
	sum   uint64
	count uint64
}

// New makes an observer; cfg must be valid.
func New(cfg Config) (*Observer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Observer{cfg: cfg, volTicks: int(cfg.VolumesInterval / cfg.Tick), sums: map[string]*levelSum{},
		speakers: newSpeakerDetector(cfg)}, nil
}

// Tick feeds one tick's samples (producers that sent no level are silent this tick).
func (o *Observer) Tick(samples []Sample) Result {
	for _, s := range samples {
		if s.Count == 0 {
			continue
		}
		acc := o.sums[s.ProducerID]
		if acc == nil {
			acc = &levelSum{}
			o.sums[s.ProducerID] = acc
		}
		acc.sum += s.Sum
		acc.count += uint64(s.Count)
	}
	var r Result
	r.Speaker, r.SpeakerChanged = o.speakers.tick(samples)
	o.ticks++
	if o.ticks >= o.volTicks {
		o.ticks = 0
		r.Volumes = o.volumes()
	}
	return r
}

// Remove forgets a producer (closed or paused); the floor is free again if it held it.
func (o *Observer) Remove(producerID string) {
	delete(o.sums, producerID)
	o.speakers.remove(producerID)
}

// volumes lists the interval's loudest producers above the threshold and starts a new interval.
func (o *Observer) volumes() []Volume {
	var out []Volume
	for id, acc := range o.sums {
		if acc.count == 0 {
			continue
		}
		v := -int((acc.sum + acc.count/2) / acc.count)
		if v >= o.cfg.VolumesThreshold {
			out = append(out, Volume{ProducerID: id, Volume: v})
		}
	}
	clear(o.sums)
	sortLoudestFirst(out)
	if len(out) > o.cfg.VolumesMax {
		out = out[:o.cfg.VolumesMax]
	}
	return out
}
