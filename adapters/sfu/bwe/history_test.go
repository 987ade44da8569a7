package bwe

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHistoryStampLookup(t *testing.T) {
	h := new(History)
	now := int64(5e12) // ~83 minutes: the 32-bit microsecond clock has wrapped
	for i := range 70000 {
		seq := h.Stamp(1000+i%500, now+int64(i)*1e6)
		require.Equal(t, uint16(i%65536), seq) //nolint:gosec // wraps by design
	}
	last := now + 69999*1e6
	sent, size, ok := h.Lookup(69999%65536, last+50e6)
	require.True(t, ok)
	require.Equal(t, last, sent)
	require.Equal(t, 1000+69999%500, size)
	_, _, ok = h.Lookup((69999-historySlots)%65536, last)
	require.False(t, ok, "a slot reused by a newer packet")
}

func TestHistoryConcurrentStamps(t *testing.T) {
	h := new(History)
	var wg sync.WaitGroup
	seen := make([][]uint16, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				seen[g] = append(seen[g], h.Stamp(1200, 1e9))
			}
		}()
	}
	wg.Wait()
	all := map[uint16]bool{}
	for _, s := range seen {
		for _, q := range s {
			all[q] = true
		}
	}
	require.Len(t, all, 4000, "every packet has its own sequence number")
}

func TestHistoryStampAllocates(t *testing.T) {
	h := new(History)
	require.Zero(t, testing.AllocsPerRun(1000, func() { h.Stamp(1200, 1e9) }))
}
