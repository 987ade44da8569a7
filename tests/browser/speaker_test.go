package browser

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// speakerResult is what speaker.mjs measured (its RESULT_FILE).
type speakerResult struct {
	OK               bool     `json:"ok"`
	Error            string   `json:"error"`
	ToneProducerID   string   `json:"toneProducerId"`
	SilentProducerID string   `json:"silentProducerId"`
	SpeakerMs        int      `json:"speakerMs"`
	SpeakerEvents    []string `json:"speakerEvents"`
	Volumes          []struct {
		ProducerID string `json:"producerId"`
		Volume     int    `json:"volume"`
	} `json:"volumes"`
	Highlighted []string `json:"highlighted"`
	StatsText   string   `json:"statsText"`
}

// TestBrowserActiveSpeaker is issue 20's browser test: two demo pages publish a microphone into one room, a 440 Hz
// WebAudio tone and a silent one, and a viewer page follows the room's event stream. Within 2 s of the tone's
// publication the viewer's stream names its producer active_speaker (the slave's observer reads the RFC 6464 level
// Chromium puts on each packet, posts to the master, the master publishes to the room's SSE); volumes list it
// first, the silent one below it or not at all; the tone's tile is highlighted and shows its server stats.
func TestBrowserActiveSpeaker(t *testing.T) {
	chromium := requireBrowser(t)
	c := startCluster(t)
	var r speakerResult
	runScript(t, chromium, c, "speaker.mjs", &r)
	require.True(t, r.OK, r.Error)
	line := fmt.Sprintf("browser active speaker: tone published->active_speaker_ms=%d volumes=%v stats=%q\n", r.SpeakerMs, r.Volumes, r.StatsText)
	fmt.Print(line)
	require.NoError(t, os.WriteFile(filepath.Join(artifactsDir(t), "active-speaker.txt"), []byte(line), 0o600))

	require.Less(t, r.SpeakerMs, 2000)
	require.Equal(t, []string{r.ToneProducerID}, r.SpeakerEvents, "the tone, and only it, took the floor")
	require.NotEmpty(t, r.Volumes)
	require.Equal(t, r.ToneProducerID, r.Volumes[0].ProducerID)
	require.Greater(t, r.Volumes[0].Volume, -40, "a tone at half scale is loud")
	for _, v := range r.Volumes[1:] {
		require.Less(t, v.Volume, r.Volumes[0].Volume)
	}
	require.Equal(t, []string{r.ToneProducerID}, r.Highlighted)
	require.Contains(t, r.StatsText, "score")
}
