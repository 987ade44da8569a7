package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

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
	var masterPorts []int
	for _, u := range append([]string{r.cfg.MasterURL}, r.cfg.APIMasters...) {
		if port, ok := localPort(u); ok {
			masterPorts = append(masterPorts, port)
		}
	}
	ports := slices.Clone(masterPorts)
	if r.cfg.PGPort > 0 {
		ports = append(ports, r.cfg.PGPort)
	}
	pidOf, err := proccpu.ListenerPIDs(m.reader.Root, ports)
	if err != nil {
		r.logf("CPU: reading /proc: %v", err)
	}
	if g, ok := m.group("masters", masterPorts, pidOf, r); ok {
		m.groups = append(m.groups, g)
	}
	if len(masterPorts) > 1 { // and each on its own: does a second master cost more per join than the first?
		for i, port := range masterPorts {
			if g, ok := m.group(fmt.Sprintf("master%d", i+1), []int{port}, pidOf, r); ok {
				m.groups = append(m.groups, g)
			}
		}
	}
	if r.cfg.PGPort > 0 {
		if g, ok := m.group("postgres", []int{r.cfg.PGPort}, pidOf, r); ok {
			g.children = true
			m.groups = append(m.groups, g)
		}
	}
	// The load tool itself: on one host it takes its CPU from the same cores, so joins/s also pay for it.
	self := os.Getpid()
	m.groups = append(m.groups, procGroup{name: "loadtest", pids: []int{self}, how: fmt.Sprintf("pid %d, this process", self)})
	if slaves, err := r.lister.list(ctx); err != nil {
		r.logf("CPU: slaves not measured: %v", err)
	} else if pm, why := discoverSlavePIDs(m.reader, "", slaves); pm == nil {
		r.logf("CPU: slaves not measured: %s", why)
	} else {
		m.groups = append(m.groups, procGroup{name: "slaves", pids: pm.pids, how: describePIDs(m.reader, pm.pids)})
	}
	return m
}

// group is the processes listening on ports; false when one of them is not visible.
func (m *clusterMeter) group(name string, ports []int, pidOf map[int]int, r *runner) (procGroup, bool) {
	g := procGroup{name: name}
	var how []string
	for _, port := range ports {
		pid, ok := pidOf[port]
		if !ok {
			r.logf("CPU: no visible process listens on port %d: %s not measured", port, name)
			return procGroup{}, false
		}
		g.pids = append(g.pids, pid)
		how = append(how, fmt.Sprintf("pid %d %s :%d", pid, m.reader.Command(pid), port))
	}
	g.how = strings.Join(how, ", ")
	return g, len(g.pids) > 0
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
