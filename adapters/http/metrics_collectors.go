package httpapi

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// scrapeTimeout bounds one read of the cluster's or the node's counts during a scrape: a slow database must not
// hold the scrape past Prometheus' own timeout (10 s by default).
const scrapeTimeout = 5 * time.Second

// ClusterCounts is the master's view of the cluster, read from its store once per scrape.
type ClusterCounts struct {
	Rooms       int
	Routers     int
	Peers       int
	Producers   int
	Consumers   int
	Pipes       int
	SlavesAlive int
	SlavesDead  int
	// Slaves are the registered slaves, alive and dead, from the same read: one series each in the per-slave
	// gauges. Dead ones stay until the master purges their record (application.Slaves.DeadRetention).
	Slaves []domain.Slave
}

// MediaCounters are a slave's monotonic media counters, read at scrape time. A nil func is not exported.
type MediaCounters struct {
	PacketsIn  func() uint64 // RTP packets received (after SRTP decryption), WebRTC and pipe transports
	PacketsOut func() uint64 // RTP packets sent
	BytesIn    func() uint64 // RTP bytes received
	BytesOut   func() uint64 // RTP bytes sent
	NACKs      func() uint64 // NACK messages received from consumers (browsers and pipes)
	PLIs       func() uint64 // keyframe requests (PLI/FIR) received from consumers (browsers and pipes)
	Drops      func() uint64 // datagrams the kernel dropped on the media sockets (receive buffer full)
}

// slaveLabels name a slave's series: its id, and the role and API URL an operator recognises it by.
var slaveLabels = []string{"slave_id", "role", "api_url"}

// ObserveCluster exports the master's gauges (<ns>_rooms, _routers, _peers, _producers, _consumers, _pipes,
// _slaves{status}) and, per registered slave, <ns>_slave_up, _slave_last_heartbeat_timestamp_seconds,
// _slave_transports and _slave_max_transports{slave_id,role,api_url}, from counts, called once per scrape;
// <ns>_cluster_stats_up is 0 when counts fails (then the gauges are left out rather than reported as 0). Call it
// once.
func (m *Metrics) ObserveCluster(counts func(ctx context.Context) (ClusterCounts, error)) error {
	if counts == nil {
		return errors.New("httpapi: ObserveCluster needs a counts func")
	}
	c := &snapshotCollector[ClusterCounts]{read: counts, up: m.desc("cluster_stats_up", "1 if the last read of the cluster's counts succeeded.")}
	gauge := func(name, help string, v func(ClusterCounts) int) {
		c.gauges = append(c.gauges, snapshotGauge[ClusterCounts]{desc: m.desc(name, help), value: v})
	}
	gauge("rooms", "Rooms in the cluster.", func(s ClusterCounts) int { return s.Rooms })
	gauge("routers", "Routers (room and consumer routers) in the cluster.", func(s ClusterCounts) int { return s.Routers })
	gauge("peers", "Peers (WebRTC transports) in the cluster.", func(s ClusterCounts) int { return s.Peers })
	gauge("producers", "Producers in the cluster.", func(s ClusterCounts) int { return s.Producers })
	gauge("consumers", "Consumers in the cluster.", func(s ClusterCounts) int { return s.Consumers })
	gauge("pipes", "Slave-to-slave pipes in the cluster.", func(s ClusterCounts) int { return s.Pipes })
	slaves := prometheus.NewDesc(prometheus.BuildFQName(m.namespace, "", "slaves"), "Registered slaves, by status.", []string{"status"}, nil)
	c.gauges = append(c.gauges,
		snapshotGauge[ClusterCounts]{desc: slaves, labels: []string{"alive"}, value: func(s ClusterCounts) int { return s.SlavesAlive }},
		snapshotGauge[ClusterCounts]{desc: slaves, labels: []string{"dead"}, value: func(s ClusterCounts) int { return s.SlavesDead }})
	perSlave := func(name, help string, v func(domain.Slave) float64) {
		desc := prometheus.NewDesc(prometheus.BuildFQName(m.namespace, "", name), help, slaveLabels, nil)
		c.vecs = append(c.vecs, snapshotVec[ClusterCounts]{desc: desc, each: func(s ClusterCounts, emit func(float64, ...string)) {
			for _, sl := range s.Slaves {
				emit(v(sl), sl.ID, string(sl.Role), sl.APIURL)
			}
		}})
	}
	perSlave("slave_up", "1 if the slave is alive, 0 if the master marked it dead (silent for SLAVE_TIMEOUT).",
		func(s domain.Slave) float64 {
			if s.Status == domain.SlaveStatusAlive {
				return 1
			}
			return 0
		})
	perSlave("slave_last_heartbeat_timestamp_seconds", "Unix time of the slave's last heartbeat (or registration).",
		func(s domain.Slave) float64 { return unixSeconds(s.LastSeenAt) })
	perSlave("slave_transports", "WebRTC transports the master reserved on the slave.",
		func(s domain.Slave) float64 { return float64(s.TransportCount) })
	perSlave("slave_max_transports", "WebRTC transports the slave accepts (its registered capacity).",
		func(s domain.Slave) float64 { return float64(s.MaxTransports) })
	return registerAll(m.reg, c)
}

// ObserveNode exports a slave's live objects from stats (a node's Stats method fits), read once per scrape, as
// <ns>_routers, _transports, _producers, _consumers, _pipe_transports, _downlink_estimate_bytes_per_second and the
// histograms _layer_switches and _join_step_seconds{step} (the join timeline), the counters
// _keyframe_requests_joined_total, _keyframe_requests_held_total and _keyframe_requests_redirected_total (with <ns>_node_stats_up), and media's
// counters as <ns>_rtp_packets_received_total, _rtp_packets_sent_total, _rtp_bytes_received_total,
// _rtp_bytes_sent_total, _nacks_total, _plis_total, _udp_receive_drops_total. Either part may be left out (nil). Call it once.
func (m *Metrics) ObserveNode(stats func(ctx context.Context) (application.NodeStats, error), media MediaCounters) error {
	var cs []prometheus.Collector
	if stats != nil {
		c := &snapshotCollector[application.NodeStats]{read: stats, up: m.desc("node_stats_up", "1 if the last read of the node's counts succeeded.")}
		gauge := func(name, help string, v func(application.NodeStats) int) {
			c.gauges = append(c.gauges, snapshotGauge[application.NodeStats]{desc: m.desc(name, help), value: v})
		}
		gauge("routers", "Routers on this slave.", func(s application.NodeStats) int { return s.Routers })
		gauge("transports", "WebRTC transports on this slave.", func(s application.NodeStats) int { return s.Transports })
		gauge("producers", "Producers on this slave (piped-in ones included).", func(s application.NodeStats) int { return s.Producers })
		gauge("consumers", "Consumers on this slave.", func(s application.NodeStats) int { return s.Consumers })
		gauge("pipe_transports", "Pipe transports on this slave.", func(s application.NodeStats) int { return s.PipeTransports })
		gauge("downlink_estimate_bytes_per_second", "Mean downlink estimate of the WebRTC transports whose viewers report transport-cc feedback or REMB, in bytes/s (0: none).",
			func(s application.NodeStats) int { return int(s.DownlinkEstimate / 8) })
		c.hists = append(c.hists, layerSwitchHistogram(m), joinStepHistogram(m))
		counter := func(name, help string, v func(application.NodeStats) uint64) {
			c.gauges = append(c.gauges, snapshotGauge[application.NodeStats]{desc: m.desc(name, help),
				value: func(s application.NodeStats) int { return int(v(s)) }, counter: true}) //nolint:gosec // counts fit
		}
		counter("keyframe_requests_joined_total", "Keyframe requests served by a PLI already outstanding (no PLI of their own).",
			func(s application.NodeStats) uint64 { return s.KeyframeRequestsJoined })
		counter("keyframe_requests_held_total", "Keyframe requests the limiter held (the previous keyframe arrived less than its gap ago).",
			func(s application.NodeStats) uint64 { return s.KeyframeRequestsHeld })
		counter("keyframe_requests_redirected_total", "Keyframe requests for a simulcast encoding the sender stopped, sent to a lower one that flows.",
			func(s application.NodeStats) uint64 { return s.KeyframeRequestsRedirected })
		cs = append(cs, c)
	}
	counter := func(name, help string, f func() uint64) {
		if f != nil {
			cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: m.namespace, Name: name, Help: help},
				func() float64 { return float64(f()) }))
		}
	}
	counter("rtp_packets_received_total", "RTP packets received.", media.PacketsIn)
	counter("rtp_packets_sent_total", "RTP packets sent.", media.PacketsOut)
	counter("rtp_bytes_received_total", "RTP bytes received.", media.BytesIn)
	counter("rtp_bytes_sent_total", "RTP bytes sent.", media.BytesOut)
	counter("nacks_total", "NACK messages received from consumers (browsers and pipes).", media.NACKs)
	counter("plis_total", "Keyframe requests (PLI/FIR) received from consumers (browsers and pipes).", media.PLIs)
	counter("udp_receive_drops_total", "Datagrams the kernel dropped on the media sockets because the slave did not read them fast enough.", media.Drops)
	return registerAll(m.reg, cs...)
}

// unixSeconds is t as fractional Unix seconds, valid for any t (UnixNano overflows outside 1678-2262).
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

func (m *Metrics) desc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(m.namespace, "", name), help, nil, nil)
}

// snapshotCollector reads a snapshot once per scrape and turns it into gauges: one database query (or one lock of
// the node) per scrape rather than one per gauge, and all gauges from the same instant.
type snapshotCollector[T any] struct {
	read   func(ctx context.Context) (T, error)
	up     *prometheus.Desc
	gauges []snapshotGauge[T]
	vecs   []snapshotVec[T]
	hists  []snapshotHist[T]
}

// snapshotHist is a histogram kept by the snapshot's owner (cumulative bucket counts): each emits its series.
type snapshotHist[T any] struct {
	desc *prometheus.Desc
	each func(snap T, emit func(count uint64, sum float64, buckets map[float64]uint64, labels ...string))
}

// layerSwitchHistogram is <ns>_layer_switches: simulcast consumers' layer changes made by the downlink
// allocation, observed as the spatial layer switched to, by direction (up, down).
func layerSwitchHistogram(m *Metrics) snapshotHist[application.NodeStats] {
	desc := prometheus.NewDesc(prometheus.BuildFQName(m.namespace, "", "layer_switches"),
		"Simulcast consumers' layer changes made by the downlink bandwidth allocation: the spatial layer switched to, by direction.",
		[]string{"direction"}, nil)
	return snapshotHist[application.NodeStats]{desc: desc, each: func(s application.NodeStats,
		emit func(uint64, float64, map[float64]uint64, ...string)) {
		for _, d := range []struct {
			name   string
			counts []uint64
		}{{"up", s.LayerSwitchesUp}, {"down", s.LayerSwitchesDown}} {
			var count uint64
			var sum float64
			buckets := map[float64]uint64{}
			for layer, n := range d.counts {
				count += n
				sum += float64(layer) * float64(n)
				buckets[float64(layer)] = count
			}
			emit(count, sum, buckets, d.name)
		}
	}}
}

// joinStepHistogram is <ns>_join_step_seconds{step}: the join timeline (application.JoinSteps), one histogram
// per step.
func joinStepHistogram(m *Metrics) snapshotHist[application.NodeStats] {
	desc := prometheus.NewDesc(prometheus.BuildFQName(m.namespace, "", "join_step_seconds"),
		"Join timeline: per WebRTC consumer, from its consume call to resume, ICE and DTLS done, keyframe requested and the first packet sent, "+
			"and the keyframe's wait after the request; per keyframe request, the limiter's hold and the keyframe's arrival from the sender or through the pipe.",
		[]string{"step"}, nil)
	return snapshotHist[application.NodeStats]{desc: desc, each: func(s application.NodeStats,
		emit func(uint64, float64, map[float64]uint64, ...string)) {
		for _, h := range s.JoinSteps {
			buckets := make(map[float64]uint64, len(h.Buckets))
			for i, n := range h.Buckets {
				if i < len(application.JoinStepBuckets) {
					buckets[application.JoinStepBuckets[i]] = n
				}
			}
			emit(h.Count, h.SumSeconds, buckets, h.Step)
		}
	}}
}

type snapshotGauge[T any] struct {
	desc    *prometheus.Desc
	labels  []string
	value   func(T) int
	counter bool // a monotonic count (exported as a counter)
}

// snapshotVec is a gauge with one series per element of the snapshot (a slave...): each emits a value and its
// label values, in the order of desc's labels.
type snapshotVec[T any] struct {
	desc *prometheus.Desc
	each func(snap T, emit func(value float64, labels ...string))
}

func (c *snapshotCollector[T]) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.up
	seen := map[*prometheus.Desc]bool{}
	for _, g := range c.gauges {
		if !seen[g.desc] {
			seen[g.desc] = true
			ch <- g.desc
		}
	}
	for _, v := range c.vecs {
		ch <- v.desc
	}
	for _, h := range c.hists {
		ch <- h.desc
	}
}

func (c *snapshotCollector[T]) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	snap, err := c.read(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for _, g := range c.gauges {
		kind := prometheus.GaugeValue
		if g.counter {
			kind = prometheus.CounterValue
		}
		ch <- prometheus.MustNewConstMetric(g.desc, kind, float64(g.value(snap)), g.labels...)
	}
	for _, v := range c.vecs {
		v.each(snap, func(value float64, labels ...string) {
			// Label values come from the store (a slave's registration): one that is not valid UTF-8 costs its
			// series, not a panic in the scrape.
			if metric, err := prometheus.NewConstMetric(v.desc, prometheus.GaugeValue, value, labels...); err == nil {
				ch <- metric
			}
		})
	}
	for _, h := range c.hists {
		h.each(snap, func(count uint64, sum float64, buckets map[float64]uint64, labels ...string) {
			if metric, err := prometheus.NewConstHistogram(h.desc, count, sum, buckets, labels...); err == nil {
				ch <- metric
			}
		})
	}
}
