package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/stats"
)

// summary is everything the final report prints, computed when the window closes.
type summary struct {
	cfg                           config
	roomID                        string
	joinsOK, joinsFailed, started int
	receiving                     int
	errors                        map[string]int
	join, firstPacket             stats.Distribution
	iceUp, connUp                 stats.Distribution // from the first API call to ICE connected, to DTLS connected
	nomination, firstNoTick       stats.Distribution // Pion's nomination wait; first packet without it
	joinServer                    stats.Distribution // the master's time on each join's requests (Server-Timing)
	firstCluster                  stats.Distribution // the cluster's share of each first packet (join_share.go)
	phase                         joinPhase
	timing                        clusterTiming // the cluster's own timing in this run
	window                        time.Duration
	note                          string
	counts                        windowCounts
	drops                         udpDrops // in the window
	sentPPS                       float64  // what the publishers sent per second in the window, all kinds but simulcast layers
	layers                        []layerView
	cpuSeconds, clientCPU         float64
	cpuMethod                     string
	slaves                        []slaveView
	slavesErr                     error
	cleanup                       string
	result                        stats.Result
}

func (r *runner) summarize(start windowMark, meter cpuMeter, cpuMethod, note string) summary {
	end := time.Now()
	s := summary{cfg: r.cfg, roomID: r.roomID, note: note, window: end.Sub(start.at), errors: map[string]int{},
		cpuMethod: cpuMethod}
	s.sentPPS = stats.Rate(float64(r.packetsSent()-start.sent), s.window)
	s.cpuSeconds = readCPU(context.Background(), meter) - start.cpu
	s.clientCPU = (processCPU() - start.clientCPU).Seconds()
	if now := r.layersSent(); now != nil {
		sent := make([]uint64, len(now))
		for i := range now {
			sent[i] = now[i] - min(start.layers[i], now[i])
		}
		r.mu.Lock()
		subs := slices.Clone(r.subs)
		r.mu.Unlock()
		s.layers = summarizeLayers(subs, sent, s.window.Seconds())
	}
	s.counts = countWindow(start)
	s.drops = readDrops(meter).since(start.drops)

	var joins, firsts, ices, conns, noms, firstsNoTick, joinServer, firstCluster []time.Duration
	r.mu.Lock()
	subs := slices.Clone(r.subs)
	r.mu.Unlock()
	s.started = len(subs)
	for _, sub := range subs {
		switch {
		case !sub.done:
		case sub.err != nil:
			s.joinsFailed++
			s.errors[genericError(sub.err)]++
		default:
			s.joinsOK++
			joins = append(joins, sub.join)
			if sub.serverCalls > 0 {
				joinServer = append(joinServer, sub.serverTime)
			}
			tl := sub.sub.Transport.Timeline()
			if !tl.ConnectedAt.IsZero() {
				ices = append(ices, tl.ICEConnectedAt.Sub(sub.start))
				conns = append(conns, tl.ConnectedAt.Sub(sub.start))
				noms = append(noms, tl.NominationWait())
			}
			if d, ok := sub.firstPacket(); ok {
				firsts = append(firsts, d)
				firstsNoTick = append(firstsNoTick, d-tl.NominationWait())
				s.receiving++
			}
			if d, ok := sub.clusterFirstPacket(); ok {
				firstCluster = append(firstCluster, d)
			}
		}
	}
	s.join, s.firstPacket = stats.Summarize(joins), stats.Summarize(firsts)
	s.iceUp, s.connUp = stats.Summarize(ices), stats.Summarize(conns)
	s.nomination, s.firstNoTick = stats.Summarize(noms), stats.Summarize(firstsNoTick)
	s.joinServer, s.firstCluster = stats.Summarize(joinServer), stats.Summarize(firstCluster)
	s.phase = r.phase

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.slaves, s.slavesErr = r.lister.list(ctx)
	s.timing = r.readClusterTiming(context.Background(), r.hc).since(r.timing)

	s.result = stats.Result{
		JoinP50Ms: s.join.P50, JoinP95Ms: s.join.P95,
		FirstPacketP50Ms: s.firstPacket.P50, FirstPacketP95Ms: s.firstPacket.P95,
		LossPct: s.counts.loss.Pct(), ForwardedPPS: stats.Rate(float64(s.counts.packets), s.window),
		SlaveCPUSeconds: s.cpuSeconds, PPSPerCore: stats.PPSPerCore(s.counts.packets, s.cpuSeconds),
		JoinClusterP95Ms: s.joinServer.P95, FirstPacketClusterP95Ms: s.firstCluster.P95,
	}
	return s
}

// idPattern matches the ids in error texts, so that errors differing only by id are counted together.
var idPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|lt-[0-9a-f]{8}-(sub|pub)-\d+`)

func genericError(err error) string { return idPattern.ReplaceAllString(err.Error(), "<id>") }

func (s summary) print(w io.Writer) {
	num := stats.FormatNumber
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "== loadtest summary ==")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	kinds := []string{}
	if s.cfg.Audio {
		kinds = append(kinds, fmt.Sprintf("audio %d pps", s.cfg.AudioPPS))
	}
	switch {
	case s.cfg.Video && s.cfg.Simulcast:
		kinds = append(kinds, "simulcast video (3 layers: 150 k, 500 k, 1.5 Mbit/s, L1T3)")
	case s.cfg.Video:
		kinds = append(kinds, fmt.Sprintf("video %d pps × %d B (%.2f Mbit/s payload)", s.cfg.VideoPPS, s.cfg.VideoPayload,
			float64(s.cfg.VideoPPS*s.cfg.VideoPayload*8)/1e6))
	}
	fmt.Fprintf(tw, "master\t%s\troom %s\n", s.cfg.MasterURL, s.roomID)
	fmt.Fprintf(tw, "publishers\t%d\t%s\n", s.cfg.Publishers, strings.Join(kinds, " + "))
	fmt.Fprintf(tw, "subscribers\t%d target\t%d started, %d joined, %d failed, %d received media (join rate %g/s)\n",
		s.cfg.Subscribers, s.started, s.joinsOK, s.joinsFailed, s.receiving, s.cfg.JoinRate)
	window := "opened when every consumer had media, after the joins"
	if s.note != "" {
		window = s.note
	}
	fmt.Fprintf(tw, "window\t%.1f s\t%s\n", s.window.Seconds(), window)
	fmt.Fprintln(tw, "\t\t")
	fmt.Fprintln(tw, "latency (ms)\tn\tp50\tp95\tp99\tmax")
	for _, d := range []struct {
		name string
		d    stats.Distribution
	}{{"join (API calls)", s.join}, {"  the cluster's share: the master's handlers (Server-Timing)", s.joinServer},
		{"ICE connected", s.iceUp}, {"DTLS connected", s.connUp}, {"first packet", s.firstPacket},
		{"  ICE nomination wait (client: Pion's 200 ms tick)", s.nomination}, {"  first packet without that wait", s.firstNoTick},
		{"  the cluster's share: handlers + viewer ready → first packet", s.firstCluster}} {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", d.name, d.d.N, num(d.d.P50, 1), num(d.d.P95, 1), num(d.d.P99, 1), num(d.d.Max, 1))
	}
	fmt.Fprintln(tw, "\t\t")
	fmt.Fprintf(tw, "packets received\t%d\tin the window, by all subscribers\n", s.counts.packets)
	loss := fmt.Sprintf("expected %d, lost %d (sequence gaps", s.counts.loss.Expected, s.counts.loss.Lost())
	if s.counts.truncated > 0 {
		loss += fmt.Sprintf("; %d consumers by their counters", s.counts.truncated)
	}
	fmt.Fprintf(tw, "loss\t%s %%\t%s)\n", num(s.counts.loss.Pct(), 3), loss)
	// Expected from what the publishers really sent: a paced source under load sends a little under its nominal rate.
	fmt.Fprintf(tw, "UDP receive drops\t%s\tdatagrams the kernel dropped on full receive buffers in the window\n", s.drops.describe())
	expected := float64(s.joinsOK)*s.sentPPS + expectedLayerPPS(s.layers)
	if s.layers == nil {
		fmt.Fprintf(tw, "forwarded pps\t%s\texpected %s = %d joined × %s pps sent by the publishers (nominal %d)\n",
			num(s.result.ForwardedPPS, 1), num(expected, 0), s.joinsOK, num(s.sentPPS, 1), s.cfg.packetsPerSubscriber())
	} else if s.cfg.Audio {
		fmt.Fprintf(tw, "forwarded pps\t%s\texpected %s = %d joined × %s pps of audio + each viewer's simulcast layer (below)\n",
			num(s.result.ForwardedPPS, 1), num(expected, 0), s.joinsOK, num(s.sentPPS, 1))
	} else {
		fmt.Fprintf(tw, "forwarded pps\t%s\texpected %s = each of the %d joined viewers' simulcast layer (below)\n",
			num(s.result.ForwardedPPS, 1), num(expected, 0), s.joinsOK)
	}
	if expected > 0 {
		// Loss counts gaps only: packets still queued (socket buffers, a fan-out behind) are not gaps yet.
		ratio := s.result.ForwardedPPS / expected
		note := "received ÷ expected: the cluster and the clients kept up"
		if ratio < 0.97 {
			note = "received ÷ expected: BEHIND, packets are queueing (a backlog the window's loss does not count yet)"
		}
		fmt.Fprintf(tw, "delivered\t%s %%\t%s\n", num(100*ratio, 1), note)
	}
	fmt.Fprintf(tw, "slave CPU\t%s s\t%s cores over the window\n", num(s.cpuSeconds, 2), num(s.cpuSeconds/s.window.Seconds(), 2))
	fmt.Fprintf(tw, "pps per core\t%s\tpackets received by subscribers ÷ slave CPU-seconds\n", num(s.result.PPSPerCore, 0))
	fmt.Fprintf(tw, "loadtest CPU\t%s s\tthis process (the clients), same window\n", num(s.clientCPU, 2))
	_ = tw.Flush()
	fmt.Fprintf(w, "CPU method: %s\n", s.cpuMethod)
	s.phase.print(w)
	printLayers(w, s.layers)
	s.timing.print(w, s.joinsOK)
	s.printSlaves(w)
	if len(s.errors) > 0 {
		fmt.Fprintln(w, "join errors:")
		keys := slices.SortedFunc(maps.Keys(s.errors), func(a, b string) int { return s.errors[b] - s.errors[a] })
		for _, k := range keys[:min(len(keys), 5)] {
			fmt.Fprintf(w, "  %4d × %s\n", s.errors[k], k)
		}
	}
	fmt.Fprintf(w, "cleanup: %s\n", s.cleanup)
	fmt.Fprintln(w, s.result.Line())
}

func (s summary) printSlaves(w io.Writer) {
	if s.slavesErr != nil {
		fmt.Fprintf(w, "slaves: %v\n", s.slavesErr)
		return
	}
	fmt.Fprintln(w, "slaves at the end of the window (GET /slaves: load as of their last heartbeat):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "id\trole\tstatus\ttransports\trouters\tproducers\tconsumers\tcpu\tapiUrl\t")
	for _, sl := range s.slaves {
		cpu := sl.Load.CPU
		if math.IsNaN(cpu) {
			cpu = 0
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%.2f\t%s\t\n", shortID(sl.ID), sl.Role, sl.Status, sl.Load.Transports,
			sl.Load.Routers, sl.Load.Producers, sl.Load.Consumers, cpu, sl.APIURL)
	}
	_ = tw.Flush()
}

func (d udpDrops) describe() string {
	part := func(who string, known bool, n uint64, sockets int) string {
		if !known {
			return who + " unknown"
		}
		return fmt.Sprintf("%s %d (%d sockets)", who, n, sockets)
	}
	return part("slaves", d.slavesKnown, d.slaves, d.slaveSockets) + ", " + part("clients", d.clientsKnown, d.clients, d.clientSockets)
}
