package audiolevel

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// level is one tick of a producer at dBov (5 packets of 20 ms).
func level(id string, dBov int) Sample {
	return Sample{ProducerID: id, Sum: uint64(-dBov) * 5, Count: 5} //nolint:gosec // -127..0
}

const (
	speech  = -20
	silence = -127
)

// script is a synthetic level sequence: for each tick, the levels of the producers that sent audio.
type script [][]Sample

// talk appends ticks in which each producer has the given level (keys absent: not sending).
func (s script) talk(d time.Duration, levels map[string]int) script {
	for range int(d / (100 * time.Millisecond)) {
		var tick []Sample
		for id, l := range levels {
			tick = append(tick, level(id, l))
		}
		s = append(s, tick)
	}
	return s
}

// run feeds the script and returns the speaker after each tick and the ticks at which it changed.
func run(t *testing.T, o *Observer, s script) (speakers []string, changes map[int]string) {
	t.Helper()
	changes = map[int]string{}
	for i, tick := range s {
		r := o.Tick(tick)
		speakers = append(speakers, r.Speaker)
		if r.SpeakerChanged {
			changes[i] = r.Speaker
		}
	}
	return speakers, changes
}

func newObserver(t *testing.T) *Observer {
	t.Helper()
	o, err := New(DefaultConfig())
	require.NoError(t, err)
	return o
}

func TestDominantSpeaker(t *testing.T) {
	// Alice talks for 3 s first: she holds the floor when each case starts (tick 30).
	alice := script{}.talk(3*time.Second, map[string]int{"alice": speech, "bob": silence})
	tests := []struct {
		name string
		then script
		// want is the speaker at the end; switchWithin, when set, bounds when (after tick 30) it changed to bob.
		want         string
		switchWithin time.Duration
	}{
		{name: "a cough while the speaker talks does not switch",
			then: script{}.talk(300*time.Millisecond, map[string]int{"alice": speech, "bob": -10}).
				talk(2*time.Second, map[string]int{"alice": speech, "bob": silence}),
			want: "alice"},
		{name: "a cough while the speaker pauses does not switch",
			then: script{}.talk(time.Second, map[string]int{"alice": silence, "bob": silence}).
				talk(300*time.Millisecond, map[string]int{"alice": silence, "bob": -5}).
				talk(2*time.Second, map[string]int{"alice": silence, "bob": silence}),
			want: "alice"},
		{name: "coughs every half second do not switch",
			then: script{}.talk(300*time.Millisecond, map[string]int{"alice": speech, "bob": -10}).
				talk(200*time.Millisecond, map[string]int{"alice": speech, "bob": silence}).
				talk(300*time.Millisecond, map[string]int{"alice": speech, "bob": -10}).
				talk(200*time.Millisecond, map[string]int{"alice": speech, "bob": silence}).
				talk(300*time.Millisecond, map[string]int{"alice": speech, "bob": -10}),
			want: "alice"},
		{name: "talking over the speaker does not take the floor",
			then: script{}.talk(3*time.Second, map[string]int{"alice": speech, "bob": speech}),
			want: "alice"},
		{name: "a new speaker who keeps talking as the speaker stops takes the floor within 2 s",
			then:         script{}.talk(3*time.Second, map[string]int{"alice": silence, "bob": speech}),
			want:         "bob",
			switchWithin: 2 * time.Second},
		{name: "a new speaker who keeps talking over a speaker who trails off takes the floor within 2 s",
			then: script{}.talk(500*time.Millisecond, map[string]int{"alice": speech, "bob": speech}).
				talk(2500*time.Millisecond, map[string]int{"alice": silence, "bob": speech}),
			want:         "bob",
			switchWithin: 2 * time.Second},
		{name: "the speaker's producer closes: the floor waits for the next speaker",
			then:         script{}.talk(3*time.Second, map[string]int{"bob": speech}),
			want:         "bob",
			switchWithin: 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newObserver(t)
			speakers, changes := run(t, o, alice)
			require.Equal(t, "alice", speakers[len(speakers)-1])
			require.Equal(t, map[int]string{7: "alice"}, changes, "alice takes the floor after the 800 ms hold")
			if tt.name == "the speaker's producer closes: the floor waits for the next speaker" {
				o.Remove("alice")
			}
			speakers, changes = run(t, o, tt.then)
			require.Equal(t, tt.want, speakers[len(speakers)-1])
			if tt.switchWithin == 0 {
				require.Empty(t, changes)
				return
			}
			require.Len(t, changes, 1)
			for tick, who := range changes {
				require.Equal(t, "bob", who)
				require.Less(t, time.Duration(tick+1)*100*time.Millisecond, tt.switchWithin, "switched at tick %d", tick)
			}
		})
	}
}

func TestVolumes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.VolumesMax = 2
	o, err := New(cfg)
	require.NoError(t, err)
	tick := []Sample{level("loud", -10), level("soft", -60), level("quiet", -70), level("silent", silence),
		{ProducerID: "no level"}}
	for i := range 4 {
		require.Nil(t, o.Tick(tick).Volumes, "tick %d: volumes every 500 ms only", i)
	}
	require.Equal(t, []Volume{{"loud", -10}, {"soft", -60}}, o.Tick(tick).Volumes, "the loudest first, at most VolumesMax")

	t.Run("averaged over the interval", func(t *testing.T) {
		var v []Volume
		for i := range 5 {
			l := -20
			if i%2 == 1 {
				l = -40
			}
			v = o.Tick([]Sample{level("a", l)}).Volumes
		}
		require.Equal(t, []Volume{{"a", -28}}, v, "(3×20 + 2×40) / 5")
	})
	t.Run("nothing while everyone is below the threshold", func(t *testing.T) {
		for range 10 {
			require.Empty(t, o.Tick([]Sample{level("a", -90), level("b", silence)}).Volumes)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	require.NoError(t, DefaultConfig().Validate())
	for name, change := range map[string]func(*Config){
		"no tick":            func(c *Config) { c.Tick = 0 },
		"interval < tick":    func(c *Config) { c.VolumesInterval = time.Millisecond },
		"threshold > 0":      func(c *Config) { c.VolumesThreshold = 3 },
		"speaker threshold":  func(c *Config) { c.SpeakerThreshold = -200 },
		"no entries":         func(c *Config) { c.VolumesMax = 0 },
		"hold under a tick":  func(c *Config) { c.SpeakerHold = time.Millisecond },
		"hold over 48 ticks": func(c *Config) { c.SpeakerHold = 5 * time.Second },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := DefaultConfig()
			change(&cfg)
			require.Error(t, cfg.Validate())
			_, err := New(cfg)
			require.Error(t, err)
		})
	}
}
