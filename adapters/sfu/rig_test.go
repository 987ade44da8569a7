package sfu

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// rig is the forwarding core without sockets: a producer fed through an endpoint whose upstream writer records
// the RTCP sent to the sender, and consumers on a second endpoint whose writer records what they send.
type rig struct {
	up, down     *fakeWriter
	upEP, downEP *endpoint
	prod         *producer
	caps         domain.RtpCapabilities
	nextMid      int
}

func newRig(tb testing.TB, kind domain.MediaKind, params domain.RtpParameters) *rig {
	tb.Helper()
	r := &rig{up: &fakeWriter{}, down: &fakeWriter{}, upEP: newEndpoint("up", nil), downEP: newEndpoint("down", nil), caps: routerCaps(tb)}
	r.upEP.setWriter(r.up)
	r.downEP.setWriter(r.down)
	mapping, err := ortc.GetProducerRtpParametersMapping(params, r.caps)
	require.NoError(tb, err)
	p, err := newProducer(producerParams{
		ID: "p1", RouterID: "r1", Kind: kind, RtpParameters: params, Mapping: mapping, Upstream: r.upEP, TransportID: "up",
		Consumable: ortc.GetConsumableRtpParameters(kind, params, r.caps, mapping),
	})
	require.NoError(tb, err)
	require.NoError(tb, r.upEP.addProducer(p))
	r.prod = p
	return r
}

// consume adds a consumer for a device with caps; active makes it resumed and connected at once (and drains
// the keyframe request that causes).
func (r *rig) consume(tb testing.TB, caps domain.RtpCapabilities, active bool) *consumer {
	tb.Helper()
	c := newConsumer(r.consumerParams(tb, caps))
	require.NoError(tb, r.downEP.addConsumer(c))
	r.prod.addConsumer(c)
	if active {
		c.setConnected()
		c.setResumed(true)
		r.up.takeRTCP(tb)
	}
	return c
}

// consumerParams are the next consumer's, for a device with caps, on the down endpoint.
func (r *rig) consumerParams(tb testing.TB, caps domain.RtpCapabilities) consumerParams {
	tb.Helper()
	params, err := ortc.GetConsumerRtpParameters(r.prod.consumable, caps, false)
	require.NoError(tb, err)
	params.MID = strconv.Itoa(r.nextMid)
	r.nextMid++
	return consumerParams{ID: "c" + params.MID, Producer: r.prod, Endpoint: r.downEP, TransportID: "down", RtpParameters: params}
}

func (r *rig) send(b []byte) { r.upEP.OnRTP(b) }

// withoutRtx returns device capabilities with no RTX codec.
func withoutRtx(caps domain.RtpCapabilities) domain.RtpCapabilities {
	out := caps
	out.Codecs = nil
	for _, c := range caps.Codecs {
		if !domain.IsRtxMime(c.MimeType) {
			out.Codecs = append(out.Codecs, c)
		}
	}
	return out
}
