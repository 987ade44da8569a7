package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/proccpu"
)

// cpuMeter reads the slaves' cumulative CPU-seconds; only differences between two readings mean anything.
type cpuMeter interface {
	total(ctx context.Context) (float64, error)
	// method says how the CPU is measured and what it includes, for the summary.
	method() string
	// processes are the slaves' pids when the meter reads them from /proc (nil otherwise).
	processes() []int
	close()
}

// procMeter sums utime+stime of processes from /proc/<pid>/stat: exact to a clock tick, and it counts every
// thread of the process, but only on the host where the slaves run.
type procMeter struct {
	reader proccpu.Reader
	pids   []int
	how    string
}

func (m procMeter) total(context.Context) (float64, error) {
	var sum float64
	for _, pid := range m.pids {
		d, err := m.reader.CPU(pid)
		if err != nil {
			return 0, err
		}
		sum += d.Seconds()
	}
	return sum, nil
}

func (m procMeter) method() string   { return m.how }
func (m procMeter) processes() []int { return m.pids }
func (procMeter) close()             {}

// chooseCPUMeter picks, in order: the -slave-pids, the processes listening on the slaves' API ports (when they are
// on this host), the integral of the slaves' heartbeat CPU fractions.
func chooseCPUMeter(ctx context.Context, cfg config, lister slaveLister) (cpuMeter, error) {
	reader := proccpu.NewReader()
	if len(cfg.SlavePIDs) > 0 {
		m := procMeter{reader: reader, pids: cfg.SlavePIDs}
		if _, err := m.total(ctx); err != nil {
			return nil, fmt.Errorf("-slave-pids: %w", err)
		}
		m.how = fmt.Sprintf("/proc/<pid>/stat utime+stime (%d Hz ticks) of -slave-pids %s", reader.Hz, describePIDs(reader, cfg.SlavePIDs))
		return m, nil
	}
	slaves, err := lister.list(ctx)
	if err != nil {
		return nil, err
	}
	m, why := discoverSlavePIDs(reader, cfg.MasterURL, slaves)
	if m != nil {
		_, err := m.total(ctx)
		if err == nil {
			return m, nil
		}
		why = fmt.Sprintf("reading the slaves' processes: %v", err)
	}
	return startHeartbeatMeter(ctx, lister, why), nil
}

// discoverSlavePIDs finds the processes listening on the slaves' API ports. It returns nil and the reason when
// any slave is remote or its listener is not visible (another user's process, another network namespace).
func discoverSlavePIDs(reader proccpu.Reader, masterURL string, slaves []slaveView) (*procMeter, string) {
	if len(slaves) == 0 {
		return nil, "GET /slaves lists no slave"
	}
	var ports []int
	portsOf := map[string]int{}
	for _, s := range slaves {
		port, local := localPort(s.APIURL)
		if !local {
			return nil, fmt.Sprintf("slave %s (%s) is not on this host", s.ID, s.APIURL)
		}
		ports = append(ports, port)
		portsOf[s.ID] = port
	}
	masterPort, masterLocal := localPort(masterURL)
	if masterLocal {
		ports = append(ports, masterPort)
	}
	pidOf, err := proccpu.ListenerPIDs(reader.Root, ports)
	if err != nil {
		return nil, fmt.Sprintf("reading /proc: %v", err)
	}
	byPID := map[int][]string{}
	for _, s := range slaves {
		pid, ok := pidOf[portsOf[s.ID]]
		if !ok {
			return nil, fmt.Sprintf("no visible process listens on slave %s's port %d", s.ID, portsOf[s.ID])
		}
		byPID[pid] = append(byPID[pid], fmt.Sprintf("%s %s :%d", s.Role, shortID(s.ID), portsOf[s.ID]))
	}
	pids := slices.Sorted(maps.Keys(byPID))
	parts := make([]string, 0, len(pids))
	for _, pid := range pids {
		p := fmt.Sprintf("pid %d %s (%s)", pid, reader.Command(pid), strings.Join(byPID[pid], ", "))
		if masterLocal && pidOf[masterPort] == pid {
			p += " [also serves the master: its API work counts too]"
		}
		parts = append(parts, p)
	}
	how := fmt.Sprintf("/proc/<pid>/stat utime+stime (%d Hz ticks) of the processes listening on the slaves' ports: %s",
		reader.Hz, strings.Join(parts, "; "))
	return &procMeter{reader: reader, pids: pids, how: how}, ""
}

func describePIDs(reader proccpu.Reader, pids []int) string {
	parts := make([]string, len(pids))
	for i, pid := range pids {
		parts[i] = fmt.Sprintf("%d (%s)", pid, reader.Command(pid))
	}
	return strings.Join(parts, ", ")
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
