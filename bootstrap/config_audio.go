package bootstrap

import (
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/audiolevel"
)

// Audio observer settings of a slave (the producer slave observes its rooms' audio producers): how often and how
// many volumes the room events report, and how the active speaker is chosen.
func (c *SlaveConfig) loadAudio(s *settings) {
	a := &c.Audio
	s.duration(&a.VolumesInterval, "AUDIO_VOLUMES_INTERVAL")
	s.integer(&a.VolumesThreshold, -127, 0, "AUDIO_VOLUMES_THRESHOLD")
	s.integer(&a.VolumesMax, 1, 100, "AUDIO_VOLUMES_MAX")
	s.integer(&a.SpeakerThreshold, -127, 0, "ACTIVE_SPEAKER_THRESHOLD")
	s.duration(&a.SpeakerHold, "ACTIVE_SPEAKER_HOLD")
	if a.VolumesInterval < a.Tick {
		s.bad("AUDIO_VOLUMES_INTERVAL", fmt.Sprintf("must be at least %s", a.Tick))
	}
	if a.SpeakerHold < a.Tick || a.SpeakerHold > 48*a.Tick {
		s.bad("ACTIVE_SPEAKER_HOLD", fmt.Sprintf("must be %s to %s", a.Tick, 48*a.Tick))
	}
}

// defaultAudio is audiolevel's defaults (volumes every 500 ms above -80 dBov, 10 at most; a floor held 800 ms).
func defaultAudio() audiolevel.Config { return audiolevel.DefaultConfig() }
