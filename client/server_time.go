package client

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// ServerTime adds up the time the server says it spent on requests (its Server-Timing header's "app" metric, W3C
// Server Timing), for the requests made with a context from WithServerTime: a flow's share of the server, apart
// from the network and the client's own work. Safe for concurrent use.
type ServerTime struct {
	nanos    atomic.Int64
	requests atomic.Int64
}

// Total is the server time of the requests seen so far, and how many answered with one.
func (s *ServerTime) Total() (time.Duration, int) {
	return time.Duration(s.nanos.Load()), int(s.requests.Load())
}

type serverTimeKey struct{}

// WithServerTime returns a context whose API requests add their server time to s.
func WithServerTime(ctx context.Context, s *ServerTime) context.Context {
	return context.WithValue(ctx, serverTimeKey{}, s)
}

// ServerTimingMetric is the Server-Timing metric the master and slaves answer with: their handler's time.
const ServerTimingMetric = "app"

// recordServerTime adds resp's Server-Timing "app" duration to the context's ServerTime, if any.
func recordServerTime(ctx context.Context, resp *http.Response) {
	s, ok := ctx.Value(serverTimeKey{}).(*ServerTime)
	if !ok || s == nil {
		return
	}
	if d, ok := parseServerTiming(resp.Header.Values("Server-Timing"), ServerTimingMetric); ok {
		s.nanos.Add(int64(d))
		s.requests.Add(1)
	}
}

// parseServerTiming finds metric's dur (milliseconds) in Server-Timing header values: "app;dur=12.5, db;dur=3".
func parseServerTiming(values []string, metric string) (time.Duration, bool) {
	for _, v := range values {
		for _, entry := range strings.Split(v, ",") {
			parts := strings.Split(strings.TrimSpace(entry), ";")
			if strings.TrimSpace(parts[0]) != metric {
				continue
			}
			for _, p := range parts[1:] {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || k != "dur" {
					continue
				}
				ms, err := strconv.ParseFloat(strings.Trim(val, `"`), 64)
				if err != nil || ms < 0 {
					return 0, false
				}
				return time.Duration(ms * float64(time.Millisecond)), true
			}
		}
	}
	return 0, false
}
