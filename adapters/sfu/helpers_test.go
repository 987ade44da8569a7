package sfu

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/leakcheck"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestMain(m *testing.M) {
	leakcheck.VerifyTestMain(m)
}

// waitLong bounds waits for what must happen (generous: -race on a small shared machine); waitShort for what
// must not.
const (
	waitLong  = 10 * time.Second
	waitShort = 300 * time.Millisecond
)

// browser is the JSON mediasoup-client 3.24.1 produced in Chromium 156 (testdata, shared with ortc's tests).
type browser struct {
	RecvRtpCapabilities domain.RtpCapabilities `json:"recvRtpCapabilities"`
	Produce             []struct {
		Kind          domain.MediaKind     `json:"kind"`
		RtpParameters domain.RtpParameters `json:"rtpParameters"`
	} `json:"produce"`
}

func loadBrowser(tb testing.TB) browser {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "mediasoup-client-3.24.1-chromium-156.json"))
	require.NoError(tb, err)
	var b browser
	require.NoError(tb, json.Unmarshal(raw, &b))
	require.GreaterOrEqual(tb, len(b.Produce), 2)
	return b
}

// audioParams / videoParams are the browser's produce() parameters: opus PT 111 and VP8 PT 96 with RTX 97,
// header extension ids of the browser (mid=4, abs-send-time=2, transport-cc=3, audio-level=1).
func (b browser) audioParams() domain.RtpParameters { return b.Produce[0].RtpParameters }
func (b browser) videoParams() domain.RtpParameters { return b.Produce[1].RtpParameters }

func routerCaps(tb testing.TB) domain.RtpCapabilities {
	tb.Helper()
	caps, err := ortc.GenerateRouterRtpCapabilities(ortc.DefaultMediaCodecs())
	require.NoError(tb, err)
	return caps
}

// fakeWriter records what an endpoint sends.
type fakeWriter struct {
	mu      sync.Mutex
	rtp     [][]byte
	rtcp    [][]byte
	discard bool // keep no RTP
}

func (w *fakeWriter) WriteRTP(b []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.discard {
		return nil
	}
	w.rtp = append(w.rtp, append([]byte(nil), b...))
	return nil
}

func (w *fakeWriter) WriteRTCP(b []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rtcp = append(w.rtcp, append([]byte(nil), b...))
	return nil
}

// takeRTP returns and forgets the RTP sent so far, parsed.
func (w *fakeWriter) takeRTP(tb testing.TB) []rtp.Packet {
	tb.Helper()
	w.mu.Lock()
	raw := w.rtp
	w.rtp = nil
	w.mu.Unlock()
	out := make([]rtp.Packet, 0, len(raw))
	for _, b := range raw {
		var p rtp.Packet
		require.NoError(tb, p.Unmarshal(b))
		out = append(out, p)
	}
	return out
}

// takeRTCP returns and forgets the RTCP sent so far, parsed.
func (w *fakeWriter) takeRTCP(tb testing.TB) []rtcp.Packet {
	tb.Helper()
	w.mu.Lock()
	raw := w.rtcp
	w.rtcp = nil
	w.mu.Unlock()
	var out []rtcp.Packet
	for _, b := range raw {
		pkts, err := rtcp.Unmarshal(b)
		require.NoError(tb, err)
		out = append(out, pkts...)
	}
	return out
}

// VP8 payloads (RFC 7741): descriptor S=1 PID=0, then the payload header's P bit (0 = keyframe).
var (
	vp8Key   = []byte{0x10, 0x00, 0x9d, 0x01, 0x2a, 0xAA, 0xBB, 0xCC}
	vp8Delta = []byte{0x10, 0x01, 0xDD, 0xEE}
)

// browserPacket builds a packet as Chromium sends it: browser PT, SSRC and extension ids.
func browserPacket(tb testing.TB, pt uint8, ssrc uint32, seq uint16, ts uint32, payload []byte, exts map[uint8][]byte) []byte {
	tb.Helper()
	h := rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: ssrc}
	for id := uint8(1); id < 15; id++ {
		if v, ok := exts[id]; ok {
			require.NoError(tb, h.SetExtension(id, v))
		}
	}
	b, err := (&rtp.Packet{Header: h, Payload: payload}).Marshal()
	require.NoError(tb, err)
	return b
}

func extValue(p rtp.Packet, id uint8) []byte { return p.Header.GetExtension(id) }

func extIDs(p rtp.Packet) []uint8 { return p.Header.GetExtensionIDs() }
