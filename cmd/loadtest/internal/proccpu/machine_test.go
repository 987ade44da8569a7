package proccpu

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMachineBusy(t *testing.T) {
	stat := []byte("cpu  100 5 30 1000 40 2 3 4 7 1\ncpu0 50 2 15 500 20 1 1 2 3 0\nintr 1\n")
	busy, err := MachineBusy(stat)
	require.NoError(t, err)
	require.Equal(t, uint64(100+5+30+2+3+4), busy, "idle, iowait, guest and guest_nice left out")
	_, err = MachineBusy([]byte("intr 1\n"))
	require.ErrorIs(t, err, errNoCPULine)
	_, err = MachineBusy([]byte("cpu 1 x 3 4 5\n"))
	require.Error(t, err)
}

func TestMachineOfThisHost(t *testing.T) {
	r := NewReader()
	a, err := r.Machine()
	if err != nil {
		t.Skipf("no /proc/stat: %v", err)
	}
	require.Positive(t, a)
	require.Eventually(t, func() bool {
		b, err := r.Machine()
		return err == nil && b > a
	}, 5*time.Second, 10*time.Millisecond, "the machine's busy time grows")
}
