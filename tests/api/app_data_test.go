package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProducerAppData: mediasoup-client's appData (e.g. {"source":"screen"}) is kept with the producer and listed
// with it, so other clients can tell a screen share from a camera; it must be a JSON object of at most 4 KiB, and
// a bad one writes nothing.
func TestProducerAppData(t *testing.T) {
	w := newWorld(t, 10)
	f := loadFixture(t)
	room := w.ok("POST", "/rooms", nil)["id"].(string)
	peer := w.ok("POST", "/rooms/"+room+"/producer_peers", map[string]any{"userId": "alice"})["id"].(string)
	params := map[string]string{}
	for _, p := range f.Produce {
		if len(p.RtpParameters.Encodings) == 1 { // not the simulcast sample
			data, err := json.Marshal(p.RtpParameters)
			require.NoError(t, err)
			params[p.Kind] = string(data)
		}
	}
	produce := func(appData string) (int, map[string]any) {
		body := `{"kind":"video","rtpParameters":` + params["video"] + `,"appData":` + appData + `}`
		return w.do("POST", "/producer_peers/"+peer+"/produce", body)
	}

	for _, bad := range []string{`["screen"]`, `"screen"`, `7`, `{"x":"` + strings.Repeat("y", 5000) + `"}`} {
		before := w.snapshot()
		status, out := produce(bad)
		require.Equal(t, http.StatusBadRequest, status, "appData %.20s: %v", bad, out)
		require.Equal(t, "invalid_input", out["error"])
		require.Contains(t, out["message"], "appData")
		require.Equal(t, before, w.snapshot(), "nothing written, nothing opened")
	}

	status, out := produce(`{ "source": "screen", "share": true }`)
	require.Equal(t, http.StatusOK, status, "%v", out)
	screen := out["id"].(string)
	status, out = w.do("POST", "/producer_peers/"+peer+"/produce",
		`{"kind":"audio","rtpParameters":`+params["audio"]+`}`)
	require.Equal(t, http.StatusOK, status, "%v", out)
	mic := out["id"].(string)

	rows := w.ok("GET", "/rooms/"+room+"/producer_peers", nil)["_list"].([]any)
	require.Len(t, rows, 2)
	byID := map[string]any{}
	for _, r := range rows {
		row := r.(map[string]any)
		byID[row["producerId"].(string)] = row["appData"]
	}
	require.Equal(t, map[string]any{"source": "screen", "share": true}, byID[screen])
	require.Equal(t, map[string]any{}, byID[mic], "no appData lists as {}")
}
