package stats

import (
	"math"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRate(t *testing.T) {
	require.InDelta(t, 150.0, Rate(3000, 20*time.Second), 1e-9)
	require.InDelta(t, 2000.0, Rate(1, 500*time.Microsecond), 1e-9)
	require.True(t, math.IsNaN(Rate(10, 0)))
	require.True(t, math.IsNaN(Rate(10, -time.Second)))
}

func TestPPSPerCore(t *testing.T) {
	tests := []struct {
		name    string
		packets uint64
		cpu     float64
		want    float64
	}{
		{"600k packets in 20 CPU-seconds", 600000, 20, 30000},
		{"half a core", 15000, 0.5, 30000},
		{"no packets", 0, 3, 0},
		{"no CPU reading", 1000, math.NaN(), math.NaN()},
		{"zero CPU", 1000, 0, math.NaN()},
		{"negative CPU (counter reset)", 1000, -1, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PPSPerCore(tt.packets, tt.cpu)
			if math.IsNaN(tt.want) {
				require.True(t, math.IsNaN(got))
				return
			}
			require.InDelta(t, tt.want, got, 1e-9)
		})
	}
}

func TestResultLine(t *testing.T) {
	r := Result{JoinP50Ms: 41.96, JoinP95Ms: 80.5, FirstPacketP50Ms: 120, FirstPacketP95Ms: 250.04, LossPct: 0.0125,
		ForwardedPPS: 29876.54, SlaveCPUSeconds: 15.678, PPSPerCore: 38105.7, JoinClusterP95Ms: 12.34, FirstPacketClusterP95Ms: 98.76}
	line := r.Line()
	require.Equal(t, "RESULT join_p50_ms=42.0 join_p95_ms=80.5 first_packet_p50_ms=120.0 first_packet_p95_ms=250.0 "+
		"loss_pct=0.013 forwarded_pps=29876.5 slave_cpu_s=15.68 pps_per_core=38106 join_cluster_p95_ms=12.3 "+
		"first_packet_cluster_p95_ms=98.8", line)
	// The line, in its order, with first_packet_p95_ms added after first_packet_p50_ms, then the cluster's
	// shares (issue 23).
	require.Regexp(t, regexp.MustCompile(`^RESULT join_p50_ms=\S+ join_p95_ms=\S+ first_packet_p50_ms=\S+ `+
		`first_packet_p95_ms=\S+ loss_pct=\S+ forwarded_pps=\S+ slave_cpu_s=\S+ pps_per_core=\S+ `+
		`join_cluster_p95_ms=\S+ first_packet_cluster_p95_ms=\S+$`), line)

	got, err := ParseResultLine(line)
	require.NoError(t, err)
	require.Len(t, got, 10)
	require.InDelta(t, 38106.0, got["pps_per_core"], 1e-9)
	require.InDelta(t, 0.013, got["loss_pct"], 1e-9)
}

func TestResultLineUnmeasured(t *testing.T) {
	nan := math.NaN()
	line := Result{JoinP50Ms: 10, JoinP95Ms: 12, FirstPacketP50Ms: nan, FirstPacketP95Ms: nan, LossPct: nan,
		ForwardedPPS: 0, SlaveCPUSeconds: nan, PPSPerCore: math.Inf(1), JoinClusterP95Ms: nan, FirstPacketClusterP95Ms: nan}.Line()
	require.Equal(t, "RESULT join_p50_ms=10.0 join_p95_ms=12.0 first_packet_p50_ms=NaN first_packet_p95_ms=NaN "+
		"loss_pct=NaN forwarded_pps=0.0 slave_cpu_s=NaN pps_per_core=+Inf join_cluster_p95_ms=NaN "+
		"first_packet_cluster_p95_ms=NaN", line)
	got, err := ParseResultLine(line)
	require.NoError(t, err)
	require.True(t, math.IsNaN(got["slave_cpu_s"]))
	require.True(t, math.IsInf(got["pps_per_core"], 1))
}

func TestParseResultLineRejects(t *testing.T) {
	for _, line := range []string{"", "RESULTS a=1", "RESULT a", "RESULT =1", "RESULT a=x"} {
		t.Run(line, func(t *testing.T) {
			_, err := ParseResultLine(line)
			require.Error(t, err)
		})
	}
}
