package proccpu

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A real line of /proc/<pid>/stat (a Go binary), utime 1234 and stime 567.
const statLine = "4242 (cluster) S 1 4242 4242 0 -1 4194560 25161 0 0 0 1234 567 8 9 20 0 12 0 3050862 " +
	"2068975616 25906 18446744073709551615 1 1 0 0 0 0 0 0 2143420159 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"

func TestStatTicks(t *testing.T) {
	tests := []struct {
		name string
		stat string
		want uint64
	}{
		{"plain command", statLine, 1234 + 567},
		{"command with spaces and parentheses", "77 (my (odd) cmd) R 1 77 77 0 -1 0 0 0 0 0 10 20 1 1 20 0 1 0 5 0 0", 30},
		{"idle process", "1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StatTicks([]byte(tt.stat))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestStatTicksRejects(t *testing.T) {
	for _, tt := range []struct{ name, stat string }{
		{"empty", ""},
		{"no command", "42 S 1 2 3"},
		{"truncated", "42 (x) S 1 42 42 0 -1 0 0 0 0 0 10"},
		{"not a number", "42 (x) S 1 42 42 0 -1 0 0 0 0 0 ten 20 0 0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := StatTicks([]byte(tt.stat))
			require.Error(t, err)
		})
	}
}

func TestTicksToDuration(t *testing.T) {
	require.Equal(t, 18010*time.Millisecond, TicksToDuration(1801, 100))
	require.Equal(t, 1500*time.Millisecond, TicksToDuration(375, 250))
	require.Equal(t, 2*time.Second, TicksToDuration(2000, 1000))
	require.Equal(t, 10*time.Millisecond, TicksToDuration(1, 0), "unknown rate falls back to 100 Hz")
}

func TestReaderCPUOnFakeProc(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "4242"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "4242", "stat"), []byte(statLine), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, "4242", "comm"), []byte("cluster\n"), 0o600))
	r := Reader{Root: root, Hz: 100}
	got, err := r.CPU(4242)
	require.NoError(t, err)
	require.Equal(t, 18010*time.Millisecond, got)
	require.Equal(t, "cluster", r.Command(4242))
	_, err = r.CPU(1)
	require.ErrorIs(t, err, os.ErrNotExist)
	require.Equal(t, "?", r.Command(1))
}

func TestReaderCPUOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	r := NewReader()
	before, err := r.CPU(os.Getpid())
	require.NoError(t, err)
	// Spin for a few ticks so that the counter must move.
	for deadline := time.Now().Add(100 * time.Millisecond); time.Now().Before(deadline); {
	}
	after, err := r.CPU(os.Getpid())
	require.NoError(t, err)
	require.Greater(t, after, before)
}

// auxv builds an auxiliary vector of (type, value) pairs ended by AT_NULL.
func auxv(wordSize int, pairs ...uint64) []byte {
	var b []byte
	for _, v := range append(pairs, 0, 0) {
		if wordSize == 4 {
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		} else {
			b = binary.LittleEndian.AppendUint64(b, v)
		}
	}
	return b
}

func TestParseAuxvClockTicks(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		wordSize int
		want     int64
		ok       bool
	}{
		{"64-bit", auxv(8, 33, 0x7ffd, 16, 0xbfebfbff, 6, 4096, 17, 100, 3, 0x400040), 8, 100, true},
		{"32-bit", auxv(4, 6, 4096, 17, 250), 4, 250, true},
		{"missing", auxv(8, 6, 4096, 3, 0x400040), 8, 0, false},
		{"after AT_NULL is ignored", append(auxv(8, 6, 4096), auxv(8, 17, 100)...), 8, 0, false},
		{"truncated", auxv(8, 6, 4096, 17, 100)[:20], 8, 0, false},
		{"bad word size", auxv(8, 17, 100), 2, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseAuxvClockTicks(tt.data, tt.wordSize, binary.LittleEndian)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestClockTicks(t *testing.T) {
	require.Equal(t, int64(DefaultClockTicks), ClockTicks(t.TempDir()), "no auxv: the fallback")
	if _, err := os.Stat("/proc/self/auxv"); err == nil {
		hz := ClockTicks("/proc")
		require.Positive(t, hz)
		require.Equal(t, "100", strconv.FormatInt(hz, 10), "USER_HZ is 100 on Linux")
	}
}
