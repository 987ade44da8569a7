package pipetransport

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/leakcheck"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// closeRecorder counts OnClose calls and keeps the last reason.
type closeRecorder struct {
	calls  atomic.Int32
	reason atomic.Value
	done   chan struct{}
}

func newCloseRecorder() *closeRecorder { return &closeRecorder{done: make(chan struct{}, 8)} }

func (c *closeRecorder) onClose(err error) {
	c.calls.Add(1)
	c.reason.Store(errBox{err})
	c.done <- struct{}{}
}

type errBox struct{ err error }

func (c *closeRecorder) wait(tb testing.TB) error {
	tb.Helper()
	select {
	case <-c.done:
	case <-time.After(waitLong):
		tb.Fatal("OnClose was not called")
	}

	return c.reason.Load().(errBox).err //nolint:forcetypeassert // only errBox is stored
}

func TestWriteBeforeConnect(t *testing.T) {
	tr := newTransport(t, true, newRecorder())
	require.ErrorIs(t, tr.WriteRTP(rtpPacket(t, 1, 1, nil)), ErrNotConnected)
	require.ErrorIs(t, tr.WriteRTCP(rtcpPacket(t, 1)), ErrNotConnected)
	require.Zero(t, tr.Stats().PacketsSent)
}

func TestWriteRejectsWhatIsNotOfItsKind(t *testing.T) {
	a, _, _, _ := pair(t, false)
	tests := []struct {
		name  string
		write func([]byte) error
		pkt   []byte
	}{
		{name: "rtcp as rtp", write: a.WriteRTP, pkt: rtcpPacket(t, 1)},
		{name: "rtp as rtcp", write: a.WriteRTCP, pkt: rtpPacket(t, 1, 1, nil)},
		{name: "short rtp", write: a.WriteRTP, pkt: []byte{0x80, 0x60, 0, 1}},
		{name: "version 0 rtp", write: a.WriteRTP, pkt: make([]byte, 20)},
		{name: "empty rtcp", write: a.WriteRTCP, pkt: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.write(tc.pkt)
			require.ErrorIs(t, err, ErrInvalidPacket)
			require.ErrorIs(t, err, domain.ErrInvalidInput)
		})
	}
	require.Zero(t, a.Stats().PacketsSent)
}

func TestCloseIsIdempotentAndCallsOnCloseOnce(t *testing.T) {
	before := goleak.IgnoreCurrent()
	cr := newCloseRecorder()
	peer, peerAddr := rawSocket(t)
	tr, err := New(Config{ListenIP: "127.0.0.1", Handler: newRecorder(), OnClose: cr.onClose})
	require.NoError(t, err)
	require.NoError(t, tr.Connect(context.Background(), peerAddr.Addr().String(), int(peerAddr.Port()), nil))
	sendRaw(t, peer, tr, rtpPacket(t, 1, 1, nil)) // the read goroutine is busy with traffic when closed

	require.NoError(t, tr.Close())
	require.NoError(t, cr.wait(t), "OnClose(nil) after Close")
	require.NoError(t, tr.Close())
	require.NoError(t, tr.Close())
	require.Equal(t, int32(1), cr.calls.Load())

	require.ErrorIs(t, tr.WriteRTP(rtpPacket(t, 1, 2, nil)), ErrClosed)
	require.ErrorIs(t, tr.WriteRTCP(rtcpPacket(t, 1)), ErrClosed)
	require.NotNil(t, tr.Stats(), "stats stay readable")
	leakcheck.VerifyNone(t, before)
}

func TestNoGoroutineLeftAfterClose(t *testing.T) {
	before := goleak.IgnoreCurrent()
	a, err := New(Config{ListenIP: "127.0.0.1", SRTP: true, Handler: newRecorder(), IdleTimeout: time.Hour})
	require.NoError(t, err)
	b, err := New(Config{ListenIP: "127.0.0.1", SRTP: true, Handler: newRecorder()})
	require.NoError(t, err)
	connect(t, a, b)
	connect(t, b, a)
	require.NoError(t, a.WriteRTP(rtpPacket(t, 1, 1, nil)))
	require.NoError(t, a.Close())
	require.NoError(t, b.Close())
	leakcheck.VerifyNone(t, before)
}

func TestOnCloseMayCallClose(t *testing.T) {
	for _, idle := range []bool{false, true} {
		t.Run(map[bool]string{false: "after Close", true: "after idle timeout"}[idle], func(t *testing.T) {
			var tr *Transport
			done := make(chan struct{})
			cfg := Config{ListenIP: "127.0.0.1", Handler: newRecorder(), OnClose: func(error) {
				assert.NoError(t, tr.Close()) // must not deadlock (runs on the read goroutine after an idle timeout)
				close(done)
			}}
			if idle {
				cfg.IdleTimeout = 50 * time.Millisecond
			}
			var err error
			tr, err = New(cfg)
			require.NoError(t, err)
			require.NoError(t, tr.Connect(context.Background(), "127.0.0.1", 9, nil))
			if !idle {
				require.NoError(t, tr.Close())
			}
			select {
			case <-done:
			case <-time.After(waitLong):
				t.Fatal("OnClose did not return")
			}
			require.NoError(t, tr.Close())
		})
	}
}

func TestIdleTimeoutClosesASilentTransport(t *testing.T) {
	cr := newCloseRecorder()
	_, silentAddr := rawSocket(t)
	start := time.Now()
	tr, err := New(Config{ListenIP: "127.0.0.1", Handler: newRecorder(), IdleTimeout: 100 * time.Millisecond,
		OnClose: cr.onClose})
	require.NoError(t, err)
	require.NoError(t, tr.Connect(context.Background(), silentAddr.Addr().String(), int(silentAddr.Port()), nil))

	require.ErrorIs(t, cr.wait(t), ErrIdleTimeout)
	require.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
	require.ErrorIs(t, tr.WriteRTP(rtpPacket(t, 1, 1, nil)), ErrClosed)
	require.NoError(t, tr.Close())
	require.Equal(t, int32(1), cr.calls.Load(), "Close after the timeout does not call OnClose again")
}

func TestIdleTimeoutWaitsForConnectAndTraffic(t *testing.T) {
	cr := newCloseRecorder()
	// A packet every 30 ms against a 500 ms timeout: a busy machine may stall the writer or the reader for a
	// while, but not for 500 ms (150 ms, five writes, left no room for that).
	const idle = 500 * time.Millisecond
	a := newTransport(t, true, newRecorder())
	b := newTransport(t, true, newRecorder(), func(c *Config) { c.IdleTimeout, c.OnClose = idle, cr.onClose })

	time.Sleep(idle + 100*time.Millisecond)
	require.Zero(t, cr.calls.Load(), "no idle timeout before Connect")

	connect(t, a, b)
	connect(t, b, a)
	for i, start := 0, time.Now(); time.Since(start) < 3*idle; i++ { // three times the timeout, with traffic
		require.NoError(t, a.WriteRTP(rtpPacket(t, 1, uint16(i), []byte("keepalive")))) //nolint:gosec // tiny
		time.Sleep(30 * time.Millisecond)
	}
	require.Zero(t, cr.calls.Load(), "traffic keeps the transport open")

	require.ErrorIs(t, cr.wait(t), ErrIdleTimeout, "silence closes it")
}

// A forged packet from the remote's address that fails authentication must not keep the transport alive.
func TestIdleTimeoutIgnoresUnauthenticatedPackets(t *testing.T) {
	cr := newCloseRecorder()
	peer, peerAddr := rawSocket(t)
	stranger := newTransport(t, true, newRecorder())
	tr := newTransport(t, true, newRecorder(), func(c *Config) {
		c.IdleTimeout, c.OnClose = 200*time.Millisecond, cr.onClose
	})
	require.NoError(t, tr.Connect(context.Background(), peerAddr.Addr().String(), int(peerAddr.Port()), stranger.SrtpParameters()))
	stop := time.After(waitLong)
	for {
		sendRaw(t, peer, tr, rtpPacket(t, 1, 1, []byte("forged")))
		select {
		case <-cr.done:
			require.Positive(t, tr.Stats().DecryptFailures)

			return
		case <-stop:
			t.Fatal("forged packets kept the transport alive")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Writers racing Close see either success or ErrClosed, never another error, and Close does not wait for them.
func TestCloseWhileWriting(t *testing.T) {
	for _, srtp := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "srtp"}[srtp], func(t *testing.T) {
			a, _, _, _ := pair(t, srtp)
			pkt := rtpPacket(t, 3, 1, []byte("racing"))
			var wg sync.WaitGroup
			for range 3 {
				wg.Go(func() {
					for {
						if err := a.WriteRTP(pkt); err != nil {
							assert.ErrorIs(t, err, ErrClosed)

							return
						}
					}
				})
			}
			time.Sleep(20 * time.Millisecond)
			require.NoError(t, a.Close())
			wg.Wait()
		})
	}
}
