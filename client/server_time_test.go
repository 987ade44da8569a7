package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseServerTiming(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   time.Duration
		ok     bool
	}{
		{name: "ours", values: []string{"app;dur=12.500"}, want: 12500 * time.Microsecond, ok: true},
		{name: "among others, quoted, spaced", values: []string{`db;dur=3, app; desc="handler"; dur="7"`}, want: 7 * time.Millisecond, ok: true},
		{name: "in a second header", values: []string{"cache;desc=hit", "app;dur=1"}, want: time.Millisecond, ok: true},
		{name: "absent", values: []string{"db;dur=3"}},
		{name: "no dur", values: []string{"app"}},
		{name: "not a number", values: []string{"app;dur=x"}},
		{name: "negative", values: []string{"app;dur=-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseServerTiming(tt.values, ServerTimingMetric)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

// The server time of every request made with the context is added up, errors included; other contexts add nothing.
func TestServerTimeAddsUpAFlowsRequests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server-Timing", "app;dur=2.5")
		if r.URL.Path == "/rooms/missing" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"code":404,"error":"room_not_found","message":"no"}`))
			return
		}
		_, _ = w.Write([]byte(`{"id":"r1","rtpCapabilities":{"codecs":[],"headerExtensions":[]}}`))
	}))
	defer srv.Close()
	api, err := NewAPI(srv.URL)
	require.NoError(t, err)
	var st ServerTime
	ctx := WithServerTime(context.Background(), &st)
	_, err = api.CreateRoom(ctx)
	require.NoError(t, err)
	_, err = api.GetRoom(ctx, "missing")
	require.Error(t, err)
	_, err = api.CreateRoom(context.Background())
	require.NoError(t, err)
	total, n := st.Total()
	require.Equal(t, 2, n)
	require.Equal(t, 5*time.Millisecond, total)
}
