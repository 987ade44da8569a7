package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSlaveLessLoaded(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	slave := func(id string, count, capacity int, cpu float64, created time.Time) Slave {
		return Slave{ID: id, TransportCount: count, MaxTransports: capacity, Load: SlaveLoad{CPU: cpu}, CreatedAt: created}
	}
	tests := []struct {
		name string
		a, b Slave // a comes first
	}{
		{"lower ratio wins over lower count", slave("a", 2, 10, 0.9, t0), slave("b", 1, 2, 0.1, t0)},
		{"ratio compared exactly", slave("a", 1, 3, 0.9, t0), slave("b", 2, 5, 0.1, t0)},
		{"equal ratio: lower CPU", slave("a", 1, 2, 0.2, t0), slave("b", 2, 4, 0.3, t0)},
		{"equal ratio and CPU: older", slave("b", 0, 5, 0, t0), slave("a", 0, 5, 0, t0.Add(time.Second))},
		{"all equal: id", slave("a", 0, 5, 0, t0), slave("b", 0, 5, 0, t0)},
		{"zero capacity counts as one", slave("a", 0, 0, 0.5, t0), slave("b", 1, 0, 0, t0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.True(t, tt.a.LessLoaded(tt.b))
			require.False(t, tt.b.LessLoaded(tt.a))
			require.False(t, tt.a.LessLoaded(tt.a))
		})
	}
}
