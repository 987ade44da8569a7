package proccpu

// UDP receive drops: how many datagrams the kernel dropped on the UDP sockets of given processes (a full receive
// buffer: the process did not read fast enough). The load tool uses them to tell the slaves' drops from its own
// clients' when a run loses packets.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// ParseDrops parses a /proc/net/udp or /proc/net/udp6 table into the drops counter of each socket inode.
func ParseDrops(table []byte) (map[uint64]uint64, error) {
	out := map[uint64]uint64{}
	for f := range netRows(table) {
		// sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
		if len(f) < 13 {
			continue
		}
		inode, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("proc net udp: inode %q: %w", f[9], err)
		}
		drops, err := strconv.ParseUint(f[12], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("proc net udp: drops %q: %w", f[12], err)
		}
		if inode != 0 {
			out[inode] = drops
		}
	}
	return out, nil
}

// UDPDrops returns the datagrams dropped so far on the UDP sockets the processes hold now (IPv4 and IPv6), and how
// many such sockets there are. Only differences between two readings over a period without sockets opening or
// closing mean anything: a closed socket takes its count with it.
func (r Reader) UDPDrops(pids []int) (drops uint64, sockets int, err error) {
	all := map[uint64]uint64{}
	for _, table := range []string{"udp", "udp6"} {
		data, err := os.ReadFile(filepath.Join(r.Root, "net", table))
		if errors.Is(err, fs.ErrNotExist) {
			continue // no IPv6 in this kernel
		}
		if err != nil {
			return 0, 0, err
		}
		t, err := ParseDrops(data)
		if err != nil {
			return 0, 0, err
		}
		for k, v := range t {
			all[k] = v
		}
	}
	for _, pid := range pids {
		inodes, err := processSockets(r.Root, pid)
		if err != nil {
			return 0, 0, err
		}
		for inode := range inodes {
			if d, ok := all[inode]; ok {
				drops += d
				sockets++
			}
		}
	}
	return drops, sockets, nil
}

// processSockets lists the socket inodes a process holds, from the links of /proc/<pid>/fd.
func processSockets(procRoot string, pid int) (map[uint64]bool, error) {
	dir := filepath.Join(procRoot, strconv.Itoa(pid), "fd")
	fds, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list fds of %d: %w", pid, err)
	}
	out := map[uint64]bool{}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(dir, fd.Name()))
		if err != nil {
			continue // closed since the listing
		}
		if inode, ok := socketInode(target); ok {
			out[inode] = true
		}
	}
	return out, nil
}
