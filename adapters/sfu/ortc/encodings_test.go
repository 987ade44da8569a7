package ortc

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// The browser's three RID encodings (r0, r1, r2, L1T3 each) map to three router SSRCs, are consumed as one
// encoding L3T3 with RTX, and cross a pipe as three encodings by SSRC that a far router accepts as simulcast.
func TestSimulcastProducerFromTheBrowser(t *testing.T) {
	f := loadFixture(t)
	caps := defaultRouterCaps(t)
	params := f.Produce[2].RtpParameters
	m, consumable := consumableFor(t, domain.MediaKindVideo, params, caps)
	require.Len(t, m.Encodings, 3)
	for i, rid := range []string{"r0", "r1", "r2"} {
		require.Equal(t, rid, m.Encodings[i].RID)
		require.Zero(t, m.Encodings[i].SSRC)
		require.Equal(t, "L1T3", m.Encodings[i].ScalabilityMode)
		require.Equal(t, m.Encodings[i].MappedSSRC, consumable.Encodings[i].SSRC)
		require.Empty(t, consumable.Encodings[i].RID)
		require.Equal(t, "L1T3", consumable.Encodings[i].ScalabilityMode)
	}
	require.NotContains(t, extIDs(consumable.HeaderExtensions), URIRid, "rid is recvonly: never sent to consumers")
	require.NotContains(t, extIDs(consumable.HeaderExtensions), URIRepairedRid)

	p, err := GetConsumerRtpParameters(consumable, f.RecvRtpCapabilities, false)
	require.NoError(t, err)
	require.Len(t, p.Encodings, 1)
	require.Equal(t, "L3T3", p.Encodings[0].ScalabilityMode)
	require.NotNil(t, p.Encodings[0].RTX)
	require.Equal(t, p.Encodings[0].SSRC+1, p.Encodings[0].RTX.SSRC)

	pipe, err := GetConsumerRtpParameters(consumable, domain.RtpCapabilities{}, true)
	require.NoError(t, err)
	require.Len(t, pipe.Encodings, 3)
	for i := range pipe.Encodings {
		require.Equal(t, consumable.Encodings[i].SSRC, pipe.Encodings[i].SSRC, "layer order and SSRCs are kept")
		require.Equal(t, "L1T3", pipe.Encodings[i].ScalabilityMode)
	}
	far, err := GetProducerRtpParametersMapping(pipe, caps)
	require.NoError(t, err, "the far slave recreates a simulcast producer by SSRC")
	require.Len(t, far.Encodings, 3)
	require.Equal(t, pipe.Encodings[2].SSRC, far.Encodings[2].SSRC)
}

// The mapping applies the domain's encoding rules (domain.RtpParameters.ValidateEncodings, tested there): the
// slave refuses what the master would, whoever calls it.
func TestSimulcastEncodingsRejected(t *testing.T) {
	f := loadFixture(t)
	caps := defaultRouterCaps(t)
	with := func(encs ...domain.RtpEncodingParameters) domain.RtpParameters {
		p := f.Produce[2].RtpParameters
		p.Encodings = encs
		return p
	}
	rid := func(r, mode string) domain.RtpEncodingParameters {
		return domain.RtpEncodingParameters{RID: r, ScalabilityMode: mode}
	}
	ssrc := func(s uint32) domain.RtpEncodingParameters { return domain.RtpEncodingParameters{SSRC: s} }
	tests := []struct {
		name    string
		params  domain.RtpParameters
		wantErr string
	}{
		{name: "duplicate rid", params: with(rid("a", ""), rid("a", "")), wantErr: "is duplicated"},
		{name: "empty rid among rids", params: with(rid("a", ""), rid("", "")), wantErr: "needs an ssrc or a rid"},
		{name: "rid and ssrc mixed", params: with(rid("a", ""), ssrc(5)), wantErr: "cannot be mixed"},
		{name: "ssrc then rid", params: with(ssrc(5), rid("a", "")), wantErr: "cannot be mixed"},
		{name: "rid with an ssrc", params: with(domain.RtpEncodingParameters{RID: "a", SSRC: 7}, rid("b", "")), wantErr: "both a rid and an ssrc"},
		{name: "duplicate ssrc", params: with(ssrc(5), ssrc(5)), wantErr: "is duplicated"},
		{name: "rtx ssrc repeats a media ssrc", params: with(ssrc(5), domain.RtpEncodingParameters{SSRC: 6, RTX: &domain.RtxParameters{SSRC: 5}}), wantErr: "is duplicated"},
		{name: "five encodings", params: with(rid("a", ""), rid("b", ""), rid("c", ""), rid("d", ""), rid("e", "")), wantErr: "at most 4"},
		{name: "unparseable scalabilityMode", params: with(rid("a", "L1T3"), rid("b", "fast")), wantErr: "is not one of"},
		{name: "unparseable on one encoding", params: with(domain.RtpEncodingParameters{SSRC: 5, ScalabilityMode: "T3"}), wantErr: "is not one of"},
		{name: "spatial layers inside a simulcast encoding", params: with(rid("a", "L2T1"), rid("b", "L1T1")), wantErr: "one spatial layer"},
		{name: "four temporal layers", params: with(rid("a", "L1T4"), rid("b", "L1T1")), wantErr: "is not one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := GetProducerRtpParametersMapping(tt.params, caps)
			require.ErrorIs(t, err, domain.ErrInvalidInput)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
	audio := f.Produce[0].RtpParameters
	audio.Encodings = []domain.RtpEncodingParameters{{SSRC: 1}, {SSRC: 2}}
	_, err := GetProducerRtpParametersMapping(audio, caps)
	require.ErrorIs(t, err, domain.ErrInvalidInput, "no audio simulcast")
	for _, n := range []int{1, 2, 4} {
		encs := make([]domain.RtpEncodingParameters, n)
		for i := range encs {
			encs[i] = domain.RtpEncodingParameters{SSRC: uint32(1000 + 2*i), RTX: &domain.RtxParameters{SSRC: uint32(1001 + 2*i)}, ScalabilityMode: "L1T2"}
		}
		m, err := GetProducerRtpParametersMapping(with(encs...), caps)
		require.NoError(t, err, "%d encodings by ssrc with rtx", n)
		require.Len(t, m.Encodings, n)
	}
}
