package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// runResult is what run.mjs measured (its RESULT_FILE).
type runResult struct {
	ConsumeOn string `json:"consumeOn"`
	OK        bool   `json:"ok"`
	Error     string `json:"error"`
	Viewers   []struct {
		Name                 string            `json:"name"`
		FirstFrameMs         *float64          `json:"firstFrameMs"`
		AudioFirstPacketMs   *float64          `json:"audioFirstPacketMs"`
		FramesDecoded        int               `json:"framesDecoded"`
		FrameWidth           int               `json:"frameWidth"`
		FrameHeight          int               `json:"frameHeight"`
		AudioPacketsReceived int               `json:"audioPacketsReceived"`
		Via                  map[string]string `json:"via"`
		Pixels               struct {
			Mean       float64 `json:"mean"`
			Stddev     float64 `json:"stddev"`
			ChangedPct float64 `json:"changedPct"`
		} `json:"pixels"`
	} `json:"viewers"`
	PauseResume *struct {
		EventMs int `json:"eventMs"`
		Viewers []struct {
			Viewer             string   `json:"viewer"`
			PausedFrames       int      `json:"pausedFrames"`
			ResumeFirstFrameMs *float64 `json:"resumeFirstFrameMs"`
			ResumeOkMs         int      `json:"resumeOkMs"`
		} `json:"viewers"`
	} `json:"pauseResume"`
}

// requireBrowser skips (or, with REQUIRE_BROWSER=1 as in CI, fails) when Chromium or Node is missing, and returns
// the Chromium path.
func requireBrowser(t *testing.T) string {
	t.Helper()
	chromium := envOr("CHROMIUM_PATH", "/usr/bin/chromium")
	if _, err := os.Stat(chromium); err != nil {
		skipOrFail(t, "no Chromium at "+chromium+" (apt-get install -y chromium)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		skipOrFail(t, "no node on PATH")
	}
	return chromium
}

// runBrowser runs run.mjs against the cluster with extra environment, logs its output, fails the test if it fails,
// and returns what it measured.
func runBrowser(t *testing.T, chromium string, c *testCluster, env ...string) runResult {
	t.Helper()
	var r runResult
	runScript(t, chromium, c, "run.mjs", &r, env...)
	require.True(t, r.OK, r.Error)
	return r
}

// runScript runs one of the node scripts through run.sh against the cluster with extra environment, logs its
// output, fails the test if it fails, and decodes what it measured (its RESULT_FILE) into result.
func runScript(t *testing.T, chromium string, c *testCluster, script string, result any, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd, resultFile := scriptCommand(ctx, t, chromium, c.DemoURL+"/", script, env...)
	out, err := cmd.CombinedOutput()
	t.Logf("%s output:\n%s", script, out)
	require.NoError(t, err, "the browser test %s failed:\n%s", script, lastLines(string(out), 15))
	readResult(t, script, resultFile, result)
}

// scriptCommand is the command that runs one of the node scripts through run.sh against the demo at demoURL, and
// the file its result will be in.
func scriptCommand(ctx context.Context, t *testing.T, chromium, demoURL, script string, env ...string) (*exec.Cmd, string) {
	t.Helper()
	resultFile := filepath.Join(t.TempDir(), "result.json")
	cmd := exec.CommandContext(ctx, "bash", "run.sh", script)
	cmd.Env = append(os.Environ(), "DEMO_URL="+demoURL, "ARTIFACTS_DIR="+artifactsDir(t), "CHROMIUM_PATH="+chromium,
		"RESULT_FILE="+resultFile)
	cmd.Env = append(cmd.Env, env...)
	return cmd, resultFile
}

// readResult decodes what a script measured (its RESULT_FILE) into result.
func readResult(t *testing.T, script, resultFile string, result any) {
	t.Helper()
	raw, err := os.ReadFile(resultFile)
	require.NoError(t, err, "%s wrote no result", script)
	require.NoError(t, json.Unmarshal(raw, result))
}

// report prints the measured times (shown by `go test -v`, and for a failing package) and writes them to
// $ARTIFACTS_DIR/first-frame-<name>.txt: `go test ./...` hides a passing package's output, so CI prints that file.
func report(t *testing.T, name string, r runResult) {
	t.Helper()
	var b strings.Builder
	for _, v := range r.Viewers {
		fmt.Fprintf(&b, "browser %s (%s): %s consume->first_decoded_frame_ms=%s audio_first_packet_ms=%s frames=%d size=%dx%d "+
			"audio_packets=%d video_via=%s luma_mean=%.1f luma_stddev=%.1f\n", name, r.ConsumeOn, v.Name, ms(v.FirstFrameMs),
			ms(v.AudioFirstPacketMs), v.FramesDecoded, v.FrameWidth, v.FrameHeight, v.AudioPacketsReceived, v.Via["video"],
			v.Pixels.Mean, v.Pixels.Stddev)
	}
	if pr := r.PauseResume; pr != nil {
		for _, v := range pr.Viewers {
			fmt.Fprintf(&b, "browser %s: %s pause->frames_while_paused=%d resume->first_new_frame_ms=%s resume->15_frames_ms=%d\n",
				name, v.Viewer, v.PausedFrames, ms(v.ResumeFirstFrameMs), v.ResumeOkMs)
		}
	}
	fmt.Print(b.String())
	require.NoError(t, os.WriteFile(filepath.Join(artifactsDir(t), "first-frame-"+name+".txt"), []byte(b.String()), 0o600))
}

func ms(v *float64) string {
	if v == nil {
		return "none"
	}
	return fmt.Sprintf("%.0f", *v)
}

func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := envOr("ARTIFACTS_DIR", filepath.Join(mustAbs(t, "."), "artifacts"))
	require.NoError(t, os.MkdirAll(dir, 0o750))
	return dir
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("REQUIRE_BROWSER") == "1" {
		t.Fatal(why + " (REQUIRE_BROWSER=1)")
	}
	t.Skip(why)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	require.NoError(t, err)
	return abs
}
