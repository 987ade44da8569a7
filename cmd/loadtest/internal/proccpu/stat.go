package proccpu

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// StatTicks returns utime+stime of a /proc/<pid>/stat line, in clock ticks: the CPU the process's threads spent in
// user and kernel mode (proc(5), fields 14 and 15; children are fields 16 and 17 and are not counted).
func StatTicks(stat []byte) (uint64, error) {
	// Field 2 is the command name in parentheses and may itself hold spaces and ')': the fields after it start
	// after the last ')'.
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("proc stat: no command name in %q", truncate(stat))
	}
	rest := bytes.Fields(stat[end+1:])
	// rest[0] is field 3 (state), so field n is rest[n-3].
	const utime, stime = 14 - 3, 15 - 3
	if len(rest) <= stime {
		return 0, fmt.Errorf("proc stat: %d fields after the command name, want more than %d", len(rest), stime)
	}
	u, err := strconv.ParseUint(string(rest[utime]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("proc stat utime: %w", err)
	}
	s, err := strconv.ParseUint(string(rest[stime]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("proc stat stime: %w", err)
	}
	return u + s, nil
}

// TicksToDuration converts clock ticks at hz ticks per second.
func TicksToDuration(ticks uint64, hz int64) time.Duration {
	if hz <= 0 {
		hz = DefaultClockTicks
	}
	sec, rem := ticks/uint64(hz), ticks%uint64(hz)
	return time.Duration(sec)*time.Second + time.Duration(rem)*time.Second/time.Duration(hz)
}

// Reader reads processes' CPU from a /proc tree.
type Reader struct {
	Root string // "/proc"
	Hz   int64  // clock ticks per second (ClockTicks)
}

// NewReader reads the real /proc with the kernel's tick rate.
func NewReader() Reader { return Reader{Root: "/proc", Hz: ClockTicks("/proc")} }

// CPU returns the CPU time a process has used so far (all its threads, user + system).
func (r Reader) CPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(filepath.Join(r.Root, strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, fmt.Errorf("read CPU of pid %d: %w", pid, err)
	}
	ticks, err := StatTicks(data)
	if err != nil {
		return 0, fmt.Errorf("pid %d: %w", pid, err)
	}
	return TicksToDuration(ticks, r.Hz), nil
}

// Command returns a process's command name (/proc/<pid>/comm), for reports.
func (r Reader) Command(pid int) string {
	data, err := os.ReadFile(filepath.Join(r.Root, strconv.Itoa(pid), "comm"))
	if err != nil {
		return "?"
	}
	return string(bytes.TrimSpace(data))
}

func truncate(b []byte) []byte {
	if len(b) > 80 {
		return b[:80]
	}
	return b
}
