package httpapi

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// perSlaveMetrics are the master's per-slave series.
var perSlaveMetrics = []string{"sfu_master_slave_up", "sfu_master_slave_last_heartbeat_timestamp_seconds",
	"sfu_master_slave_transports", "sfu_master_slave_max_transports"}

// perSlaveHelp is the HELP and TYPE lines of perSlaveMetrics, in the order the text format sorts them.
const perSlaveHelp = `
# HELP sfu_master_slave_last_heartbeat_timestamp_seconds Unix time of the slave's last heartbeat (or registration).
# TYPE sfu_master_slave_last_heartbeat_timestamp_seconds gauge
%s
# HELP sfu_master_slave_max_transports WebRTC transports the slave accepts (its registered capacity).
# TYPE sfu_master_slave_max_transports gauge
%s
# HELP sfu_master_slave_transports WebRTC transports the master reserved on the slave.
# TYPE sfu_master_slave_transports gauge
%s
# HELP sfu_master_slave_up 1 if the slave is alive, 0 if the master marked it dead (silent for SLAVE_TIMEOUT).
# TYPE sfu_master_slave_up gauge
%s
`

func TestMetricsObserveClusterPerSlave(t *testing.T) {
	alive := domain.Slave{ID: "s1", Role: domain.SlaveRoleProducer, APIURL: "http://10.0.0.5:3011", MaxTransports: 500,
		TransportCount: 12, Status: domain.SlaveStatusAlive, LastSeenAt: time.Unix(1_790_000_000, 250_000_000)}
	dead := domain.Slave{ID: "s2", Role: domain.SlaveRoleConsumer, APIURL: "http://10.0.0.6:3012", MaxTransports: 300,
		TransportCount: 0, Status: domain.SlaveStatusDead, LastSeenAt: time.Unix(1_789_999_000, 0)}
	bad := domain.Slave{ID: "s3", Role: domain.SlaveRoleConsumer, APIURL: "http://\xff:1", Status: domain.SlaveStatusAlive}

	tests := []struct {
		name   string
		slaves []domain.Slave
		err    error
		want   []string // the series' lines for perSlaveHelp, in its order; nil: no series and no HELP either
	}{
		{name: "one series per slave, alive and dead", slaves: []domain.Slave{alive, dead}, want: []string{
			`sfu_master_slave_last_heartbeat_timestamp_seconds{api_url="http://10.0.0.5:3011",role="producer",slave_id="s1"} 1.79000000025e+09
sfu_master_slave_last_heartbeat_timestamp_seconds{api_url="http://10.0.0.6:3012",role="consumer",slave_id="s2"} 1.789999e+09`,
			`sfu_master_slave_max_transports{api_url="http://10.0.0.5:3011",role="producer",slave_id="s1"} 500
sfu_master_slave_max_transports{api_url="http://10.0.0.6:3012",role="consumer",slave_id="s2"} 300`,
			`sfu_master_slave_transports{api_url="http://10.0.0.5:3011",role="producer",slave_id="s1"} 12
sfu_master_slave_transports{api_url="http://10.0.0.6:3012",role="consumer",slave_id="s2"} 0`,
			`sfu_master_slave_up{api_url="http://10.0.0.5:3011",role="producer",slave_id="s1"} 1
sfu_master_slave_up{api_url="http://10.0.0.6:3012",role="consumer",slave_id="s2"} 0`,
		}},
		{name: "no slaves, no series"},
		{name: "store down, no series", slaves: []domain.Slave{alive}, err: domain.ErrUnavailable},
		{name: "a label that is not UTF-8 costs its slave's series, not the scrape", slaves: []domain.Slave{bad, alive}, want: []string{
			`sfu_master_slave_last_heartbeat_timestamp_seconds{api_url="http://10.0.0.5:3011",role="producer",slave_id="s1"} 1.79000000025e+09`,
			`sfu_master_slave_max_transports{api_url="http://10.0.0.5:3011",role="producer",slave_id="s1"} 500`,
			`sfu_master_slave_transports{api_url="http://10.0.0.5:3011",role="producer",slave_id="s1"} 12`,
			`sfu_master_slave_up{api_url="http://10.0.0.5:3011",role="producer",slave_id="s1"} 1`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reads atomic.Int32
			m, err := NewMetrics(nil, MasterMetricsNamespace)
			require.NoError(t, err)
			require.NoError(t, m.ObserveCluster(func(context.Context) (ClusterCounts, error) {
				reads.Add(1)
				return ClusterCounts{Rooms: 1, SlavesAlive: 1, Slaves: tt.slaves}, tt.err
			}))

			expected := ""
			if tt.want != nil {
				args := make([]any, len(tt.want))
				for i, w := range tt.want {
					args[i] = w
				}
				expected = fmt.Sprintf(perSlaveHelp, args...)
			}
			require.NoError(t, testutil.GatherAndCompare(m.Gatherer(), strings.NewReader(expected), perSlaveMetrics...))
			require.Equal(t, int32(1), reads.Load(), "one read of the store per scrape, for every gauge")

			families, err := m.Gatherer().Gather()
			if tt.name == "a label that is not UTF-8 costs its slave's series, not the scrape" {
				require.NoError(t, err, "the bad series is dropped, not reported as a collection error")
			}
			require.NotEmpty(t, families)
			if tt.err == nil {
				count, err := testutil.GatherAndCount(m.Gatherer(), "sfu_master_rooms", `sfu_master_slaves`)
				require.NoError(t, err)
				require.Equal(t, 3, count, "the totals are still there beside the per-slave series")
			}
			problems, err := testutil.GatherAndLint(m.Gatherer(), perSlaveMetrics...)
			require.NoError(t, err)
			require.Empty(t, problems)
		})
	}
}
