package proccpu

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

// StatParent returns the parent pid of a /proc/<pid>/stat line (proc(5), field 4).
func StatParent(stat []byte) (int, bool) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, false
	}
	rest := bytes.Fields(stat[end+1:])
	if len(rest) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(string(rest[1])) // rest[0] is field 3 (state)
	return ppid, err == nil
}

// Children returns the pids whose parent is pid, now (a PostgreSQL server's backends are the postmaster's
// children). Processes that end while it reads are skipped.
func Children(procRoot string, pid int) ([]int, error) {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "stat"))
		if err != nil {
			continue
		}
		if ppid, ok := StatParent(stat); ok && ppid == pid {
			out = append(out, child)
		}
	}
	return out, nil
}
