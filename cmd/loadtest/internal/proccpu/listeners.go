package proccpu

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tcpListen is the st column of a socket in the LISTEN state (include/net/tcp_states.h: TCP_LISTEN = 10).
const tcpListen = "0A"

// ListeningInodes parses a /proc/net/tcp or /proc/net/tcp6 table and returns, for each wanted port, the inodes of
// the sockets listening on it (any local address).
func ListeningInodes(table []byte, ports map[int]bool) (map[int][]uint64, error) {
	out := map[int][]uint64{}
	for f := range netRows(table) {
		// sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
		if len(f) < 10 || f[3] != tcpListen {
			continue
		}
		_, portHex, ok := strings.Cut(f[1], ":")
		if !ok {
			return nil, fmt.Errorf("proc net tcp: local address %q has no port", f[1])
		}
		port, err := strconv.ParseUint(portHex, 16, 16)
		if err != nil {
			return nil, fmt.Errorf("proc net tcp: port %q: %w", portHex, err)
		}
		if !ports[int(port)] {
			continue
		}
		inode, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("proc net tcp: inode %q: %w", f[9], err)
		}
		if inode != 0 { // 0: a socket being torn down, owned by nobody
			out[int(port)] = append(out[int(port)], inode)
		}
	}
	return out, nil
}

// SocketOwners walks /proc/<pid>/fd/* and returns the pid holding each of the given socket inodes (the first found
// when several processes share one). Processes this user may not inspect are skipped: the answer is best effort.
func SocketOwners(procRoot string, inodes map[uint64]bool) (map[uint64]int, error) {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	owners := map[uint64]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		fdDir := filepath.Join(procRoot, e.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue // gone, or not ours to look at
		}
		for _, fd := range fds {
			target, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil {
				continue
			}
			inode, ok := socketInode(target)
			if ok && inodes[inode] {
				if _, seen := owners[inode]; !seen {
					owners[inode] = pid
				}
			}
		}
		if len(owners) == len(inodes) {
			break
		}
	}
	return owners, nil
}

// socketInode reads a socket fd's link text, "socket:[12345]".
func socketInode(link string) (uint64, bool) {
	s, ok := strings.CutPrefix(link, "socket:[")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, "]")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// ListenerPIDs returns the pid listening on each port that it could find, reading IPv4 and IPv6 tables.
func ListenerPIDs(procRoot string, ports []int) (map[int]int, error) {
	want := map[int]bool{}
	for _, p := range ports {
		want[p] = true
	}
	byPort := map[int][]uint64{}
	var errs []error
	for _, table := range []string{"tcp", "tcp6"} {
		data, err := os.ReadFile(filepath.Join(procRoot, "net", table))
		if errors.Is(err, fs.ErrNotExist) {
			continue // no IPv6 in this kernel
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		found, err := ListeningInodes(data, want)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for port, inodes := range found {
			byPort[port] = append(byPort[port], inodes...)
		}
	}
	if len(byPort) == 0 {
		return map[int]int{}, errors.Join(errs...)
	}
	all := map[uint64]bool{}
	for _, inodes := range byPort {
		for _, i := range inodes {
			all[i] = true
		}
	}
	owners, err := SocketOwners(procRoot, all)
	if err != nil {
		return nil, err
	}
	out := map[int]int{}
	for port, inodes := range byPort {
		for _, i := range inodes {
			if pid, ok := owners[i]; ok {
				out[port] = pid
				break
			}
		}
	}
	return out, nil
}
