package sctpassoc_test

import (
	"bytes"
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/leakcheck"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/sctpassoc"
)

// pair runs two associations over two PacketConns wired to each other (no network: SCTP itself is under test).
func pair(t *testing.T, maxA, maxB int) (a, b *sctpassoc.Association) {
	t.Helper()
	var ca, cb *sctpassoc.PacketConn
	addr := netip.MustParseAddrPort("127.0.0.1:5000")
	ca = sctpassoc.NewPacketConn(addr, func(p []byte) error { cb.Deliver(p); return nil })
	cb = sctpassoc.NewPacketConn(addr, func(p []byte) error { ca.Deliver(p); return nil })
	a = sctpassoc.New(sctpassoc.Config{MaxMessageSize: maxA})
	b = sctpassoc.New(sctpassoc.Config{MaxMessageSize: maxB})
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	go func() { _ = a.Run(ca) }()
	go func() { _ = b.Run(cb) }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, a.WaitUp(ctx))
	require.NoError(t, b.WaitUp(ctx))
	return a, b
}

type inbox struct {
	mu   sync.Mutex
	msgs [][]byte
	strs []bool
}

func (i *inbox) add(m []byte, s bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.msgs = append(i.msgs, append([]byte(nil), m...))
	i.strs = append(i.strs, s)
}

func (i *inbox) len() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return len(i.msgs)
}

func TestOrderedDeliveryOversizeDropAndReset(t *testing.T) {
	t.Cleanup(func() { leakcheck.VerifyNone(t) })
	a, b := pair(t, 65536, 4096)
	var in inbox
	reset := make(chan struct{})
	_, err := b.Open(3, sctpassoc.StreamParams{Ordered: true}, in.add, func() { close(reset) })
	require.NoError(t, err)
	_, err = b.Open(3, sctpassoc.StreamParams{Ordered: true}, nil, nil)
	require.ErrorIs(t, err, sctpassoc.ErrStreamInUse)
	out, err := a.Open(3, sctpassoc.StreamParams{Ordered: true}, nil, nil)
	require.NoError(t, err)

	for i := range 500 {
		require.NoError(t, out.Send([]byte{byte(i >> 8), byte(i)}, false))
		if i == 100 {
			require.NoError(t, out.Send(bytes.Repeat([]byte{1}, 5000), false)) // over 4096: dropped
			require.NoError(t, out.Send(nil, true))                            // empty text survives
		}
	}
	require.Eventually(t, func() bool { return in.len() == 501 }, 10*time.Second, 5*time.Millisecond)
	in.mu.Lock()
	for i, m := range in.msgs {
		want := i
		if i == 101 {
			require.Empty(t, m)
			require.True(t, in.strs[i])
			continue
		}
		if i > 101 {
			want = i - 1
		}
		require.Equal(t, []byte{byte(want >> 8), byte(want)}, m, "message %d", i)
	}
	in.mu.Unlock()
	require.EqualValues(t, 1, b.Stats().Dropped)

	out.Close() // the receiver's stream is reset: its reader ends and reports it
	select {
	case <-reset:
	case <-time.After(10 * time.Second):
		t.Fatal("stream reset not seen")
	}
	require.False(t, b.InUse(3))
	require.NoError(t, a.Close())
	require.NoError(t, b.Close())
}

func TestSendBeforeUpIsCounted(t *testing.T) {
	defer leakcheck.VerifyNone(t)
	a := sctpassoc.New(sctpassoc.Config{})
	s, err := a.Open(1, sctpassoc.StreamParams{Ordered: true}, nil, nil)
	require.NoError(t, err)
	require.ErrorIs(t, s.Send([]byte("x"), true), sctpassoc.ErrNotUp)
	require.EqualValues(t, 1, a.Stats().NotSent)
	require.NoError(t, a.Close())
}
