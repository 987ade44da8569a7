package proccpu

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// errNoCPULine: /proc/stat has no aggregate "cpu" line.
var errNoCPULine = errors.New("proccpu: no cpu line in stat")

// MachineBusy parses the aggregate "cpu" line of /proc/stat: the machine's busy time (user, nice, system, irq,
// softirq, steal: all but idle and iowait) in clock ticks, summed over its CPUs.
func MachineBusy(stat []byte) (uint64, error) {
	for line := range bytes.SplitSeq(stat, []byte("\n")) {
		fields := bytes.Fields(line)
		if len(fields) < 5 || string(fields[0]) != "cpu" {
			continue
		}
		var busy uint64
		for i, f := range fields[1:] {
			if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest and guest_nice are inside user and nice
				continue
			}
			v, err := strconv.ParseUint(string(f), 10, 64)
			if err != nil {
				return 0, err
			}
			busy += v
		}
		return busy, nil
	}
	return 0, errNoCPULine
}

// Machine returns the whole machine's busy CPU time so far, all processes (every core's).
func (r Reader) Machine() (time.Duration, error) {
	b, err := os.ReadFile(filepath.Join(r.Root, "stat"))
	if err != nil {
		return 0, err
	}
	ticks, err := MachineBusy(b)
	if err != nil {
		return 0, err
	}
	return TicksToDuration(ticks, r.Hz), nil
}
