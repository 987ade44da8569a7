package proccpu

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
)

// DefaultClockTicks is USER_HZ on every Linux architecture Go supports; it is the fallback when the auxiliary
// vector cannot be read.
const DefaultClockTicks = 100

// atClkTck is the auxiliary vector's AT_CLKTCK entry: the value sysconf(_SC_CLK_TCK) returns (getauxval(3)).
const atClkTck = 17

// ClockTicks returns the kernel's clock ticks per second, which /proc/<pid>/stat counts in. It is read from this
// process's auxiliary vector, which is what `getconf CLK_TCK` does through libc, without cgo; on failure it is 100.
func ClockTicks(procRoot string) int64 {
	data, err := os.ReadFile(filepath.Join(procRoot, "self", "auxv"))
	if err != nil {
		return DefaultClockTicks
	}
	if hz, ok := ParseAuxvClockTicks(data, strconv.IntSize/8, binary.NativeEndian); ok {
		return hz
	}
	return DefaultClockTicks
}

// ParseAuxvClockTicks finds AT_CLKTCK in an auxiliary vector: pairs of (type, value) words of wordSize bytes,
// ended by type 0.
func ParseAuxvClockTicks(auxv []byte, wordSize int, order binary.ByteOrder) (int64, bool) {
	word := func(b []byte) uint64 {
		if wordSize == 4 {
			return uint64(order.Uint32(b))
		}
		return order.Uint64(b)
	}
	if wordSize != 4 && wordSize != 8 {
		return 0, false
	}
	for i := 0; i+2*wordSize <= len(auxv); i += 2 * wordSize {
		typ, val := word(auxv[i:]), word(auxv[i+wordSize:])
		switch {
		case typ == 0:
			return 0, false
		case typ == atClkTck && val > 0 && val < 1<<20:
			return int64(val), true
		}
	}
	return 0, false
}
