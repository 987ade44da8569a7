package sfu

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// pionRig is a node with router r1 and a Device loaded with its capabilities: the team's client package, a real
// pion/webrtc PeerConnection per transport (ICE agent, DTLS, SRTP, NACK and RTCP interceptors).
type pionRig struct {
	n    *Node
	caps domain.RtpCapabilities
	dev  *client.Device
}

func newPionRig(t *testing.T, ctx context.Context) *pionRig {
	t.Helper()
	n, _ := newTestNode(t)
	router, err := n.CreateRouter(ctx, "r1")
	require.NoError(t, err)
	dev, err := client.NewDevice(router.RtpCapabilities, client.LoopbackOnly())
	require.NoError(t, err)
	return &pionRig{n: n, caps: router.RtpCapabilities, dev: dev}
}

func (r *pionRig) connectTo(id string) client.ConnectFunc {
	return func(ctx context.Context, dtls domain.DtlsParameters) error {
		return r.n.ConnectTransport(ctx, id, dtls)
	}
}

// produce sends src on send as producer id and returns the parameters the client announced.
func (r *pionRig) produce(t *testing.T, ctx context.Context, send *client.SendTransport, src *client.SyntheticSource, id string) domain.RtpParameters {
	t.Helper()
	var announced domain.RtpParameters
	prod, err := send.Produce(ctx, src.Track(), func(ctx context.Context, kind domain.MediaKind, params domain.RtpParameters) (string, error) {
		announced = params
		return id, r.n.Produce(ctx, application.ProduceRequest{TransportID: send.ID(), ProducerID: id, Kind: kind, RtpParameters: params})
	})
	require.NoError(t, err)
	src.Start(ctx, prod.Sender())
	return announced
}

// pionReceiver is one receive transport consuming the audio and the video producer.
type pionReceiver struct {
	recv         *client.RecvTransport
	audio, video *client.Consumer
}

func (r *pionRig) receive(t *testing.T, ctx context.Context, id string) *pionReceiver {
	t.Helper()
	info, err := r.n.CreateWebRtcTransport(ctx, "r1", id)
	require.NoError(t, err)
	recv, err := r.dev.NewRecvTransport(info, r.connectTo(id))
	require.NoError(t, err)
	t.Cleanup(func() { _ = recv.Close() })
	consume := func(producerID string) *client.Consumer {
		ci, err := r.n.Consume(ctx, application.ConsumeRequest{TransportID: id, ConsumerID: id + "-" + producerID,
			ProducerID: producerID, RtpCapabilities: r.dev.RecvRtpCapabilities()})
		require.NoError(t, err)
		c, err := recv.Consume(ctx, client.ConsumerInfo{ID: ci.ID, ProducerID: ci.ProducerID, Kind: ci.Kind, RtpParameters: ci.RtpParameters, Type: ci.Type})
		require.NoError(t, err)
		require.NoError(t, r.n.ResumeConsumer(ctx, ci.ID))
		return c
	}
	return &pionReceiver{recv: recv, audio: consume("pa"), video: consume("pv")}
}

// waitFor is Consumer.WaitFor bounded by waitLong.
func waitFor(t *testing.T, ctx context.Context, c *client.Consumer, cond func(client.ConsumerStats) bool, msg ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, waitLong)
	defer cancel()
	require.NoError(t, c.WaitFor(ctx, cond), msg...)
}

// routerPT is the router's payload type of a media codec.
func routerPT(t *testing.T, caps domain.RtpCapabilities, mime string) int {
	t.Helper()
	for _, c := range caps.Codecs {
		if strings.EqualFold(c.MimeType, mime) {
			return c.PreferredPayloadType
		}
	}
	t.Fatalf("router has no %s", mime)
	return 0
}

// routerRtxPT is the router's RTX payload type for the media payload type apt.
func routerRtxPT(t *testing.T, caps domain.RtpCapabilities, apt int) int {
	t.Helper()
	for _, c := range caps.Codecs {
		if a, ok := c.Parameters.Number("apt"); ok && a == apt && strings.EqualFold(c.MimeType, "video/rtx") {
			return c.PreferredPayloadType
		}
	}
	t.Fatalf("router has no rtx for %d", apt)
	return 0
}

// missingSeqs lists the sequence numbers absent between the lowest and the highest received (extended across
// wraps; duplicates, e.g. retransmissions, count once).
func missingSeqs(seqs []uint16) []uint16 {
	if len(seqs) == 0 {
		return nil
	}
	seen := map[int64]bool{}
	high := int64(seqs[0])
	low := high
	for _, s := range seqs {
		ext := high + int64(int16(s-uint16(high)))
		high, low = max(high, ext), min(low, ext)
		seen[ext] = true
	}
	var missing []uint16
	for e := low; e <= high; e++ {
		if !seen[e] {
			missing = append(missing, uint16(e)) //nolint:gosec // back to 16 bits on purpose
		}
	}
	return missing
}

func countSeq(seqs []uint16, want uint16) int {
	n := 0
	for _, s := range seqs {
		if s == want {
			n++
		}
	}
	return n
}
