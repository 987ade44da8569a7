package main

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/proccpu"
)

// clusterMeter reads, from /proc, the CPU of each group of cluster processes it can see on this host: the master
// (listening on -master's port), the slaves (listening on the ports GET /slaves names) and PostgreSQL (the
// postmaster listening on -pg-port and its backends, as they are at each reading: a backend that ends between
// two readings takes its CPU with it; the master's pooled connections live on).
type clusterMeter struct {
	reader proccpu.Reader
	groups []procGroup
}

type procGroup struct {
	name     string
	pids     []int
	children bool // count the pids' children too (PostgreSQL's backends)
	how      string
}

// cpuReading is each group's CPU-seconds at one moment (NaN-free: a group whose reading failed is absent).
type cpuReading map[string]float64

func newClusterMeter(ctx context.Context, r *runner) *clusterMeter {
	m := &clusterMeter{reader: proccpu.NewReader()}
	ports := map[string]int{}
	if port, ok := localPort(r.cfg.MasterURL); ok {
		ports["master"] = port
	}
	if r.cfg.PGPort > 0 {
		ports["postgres"] = r.cfg.PGPort
	}
	var list []int
	for _, p := range ports {
		list = append(list, p)
	}
	pidOf, err := proccpu.ListenerPIDs(m.reader.Root, list)
	if err != nil {
		r.logf("CPU: reading /proc: %v", err)
	}
	for _, name := range []string{"master", "postgres"} {
		port, wanted := ports[name]
		pid, found := pidOf[port]
		switch {
		case !wanted:
		case !found:
			r.logf("CPU: no visible process listens on the %s's port %d: not measured", name, port)
		default:
			m.groups = append(m.groups, procGroup{name: name, pids: []int{pid}, children: name == "postgres",
				how: fmt.Sprintf("pid %d %s :%d", pid, m.reader.Command(pid), port)})
		}
	}
	if slaves, err := r.lister.list(ctx); err != nil {
		r.logf("CPU: slaves not measured: %v", err)
	} else if pm, why := discoverSlavePIDs(m.reader, "", slaves); pm == nil {
		r.logf("CPU: slaves not measured: %s", why)
	} else {
		m.groups = append(m.groups, procGroup{name: "slaves", pids: pm.pids, how: describePIDs(m.reader, pm.pids)})
	}
	return m
}

func (m *clusterMeter) read() cpuReading {
	out := cpuReading{}
	for _, g := range m.groups {
		pids := g.pids
		if g.children {
			for _, p := range g.pids {
				kids, err := proccpu.Children(m.reader.Root, p)
				if err == nil {
					pids = append(pids, kids...)
				}
			}
		}
		var sum float64
		for _, pid := range pids {
			if d, err := m.reader.CPU(pid); err == nil { // a backend may end while we read
				sum += d.Seconds()
			}
		}
		out[g.name] = sum
	}
	return out
}
