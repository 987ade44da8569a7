package application_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/application/apptest"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// simulcastParams is mediasoup-demo's camera: VP8 in three RID encodings, L1T3 each.
func simulcastParams() domain.RtpParameters {
	return domain.RtpParameters{
		MID:    "1",
		Codecs: []domain.RtpCodecParameters{{MimeType: "video/VP8", PayloadType: 96, ClockRate: 90000, Parameters: domain.CodecParameters{}}},
		HeaderExtensions: []domain.RtpHeaderExtensionParameters{{URI: "urn:ietf:params:rtp-hdrext:sdes:mid", ID: 4},
			{URI: "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", ID: 10}, {URI: "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", ID: 11}},
		Encodings: []domain.RtpEncodingParameters{{RID: "r0", ScalabilityMode: "L1T3", MaxBitrate: 150000},
			{RID: "r1", ScalabilityMode: "L1T3", MaxBitrate: 500000}, {RID: "r2", ScalabilityMode: "L1T3", MaxBitrate: 1500000}},
		RTCP: domain.RtcpParameters{CNAME: "c", ReducedSize: true},
	}
}

// produceVideo adds a video producer with params to the producer peer.
func (w *world) produceVideo(t *testing.T, peerID string, params domain.RtpParameters) string {
	t.Helper()
	id, err := w.uc.producerPeers.Produce(context.Background(), application.ProduceInput{PeerID: peerID, Kind: domain.MediaKindVideo, RtpParameters: params})
	require.NoError(t, err)
	return id
}

func TestSimulcastProducerIsPipedUnchanged(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, producerPeer, _ := w.publish(t, "alice")
	videoID := w.produceVideo(t, producerPeer, simulcastParams())

	stored, err := w.rooms.GetProducer(ctx, videoID)
	require.NoError(t, err)
	require.Equal(t, simulcastParams(), stored.RtpParameters, "the store keeps the encodings as produced")
	require.Equal(t, simulcastParams(), w.node(w.producer).Described[videoID].RtpParameters, "the slave got them as produced")

	_, _, consumerID := w.subscribe(t, roomID, "bob", videoID)
	c, err := w.rooms.GetConsumer(ctx, consumerID)
	require.NoError(t, err)
	peer, err := w.rooms.GetPeer(ctx, c.PeerID)
	require.NoError(t, err)
	require.NotEqual(t, w.producer.ID, peer.SlaveID, "consumed through a pipe")
	target := w.nodes.Get(peer.SlaveID)
	require.Equal(t, simulcastParams(), target.Described[videoID].RtpParameters, "PipeProduce got what PipeConsume answered")
	require.Equal(t, domain.MediaKindVideo, target.Described[videoID].Kind)

	st, err := w.uc.consumerPeers.Get(ctx, consumerID)
	require.NoError(t, err)
	require.Equal(t, domain.ConsumerTypeSimulcast, st.Type)
	require.Equal(t, videoID, st.ProducerID)
	require.True(t, st.Paused)
	require.Nil(t, st.CurrentLayers, "a paused consumer sends nothing")
	top := 2
	require.Equal(t, &domain.ConsumerLayers{SpatialLayer: 2, TemporalLayer: &top}, st.PreferredLayers, "the default is the highest layers")
}

func TestSimulcastProduceRefusedBeforeAnySlaveCall(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *domain.RtpParameters)
	}{
		{"duplicate rid", func(p *domain.RtpParameters) { p.Encodings[1].RID = "r0" }},
		{"empty rid", func(p *domain.RtpParameters) { p.Encodings[2].RID = "" }},
		{"rid and ssrc mixed", func(p *domain.RtpParameters) { p.Encodings[1] = domain.RtpEncodingParameters{SSRC: 1234} }},
		{"five encodings", func(p *domain.RtpParameters) {
			p.Encodings = append(p.Encodings, domain.RtpEncodingParameters{RID: "r3"}, domain.RtpEncodingParameters{RID: "r4"})
		}},
		{"unparseable scalabilityMode", func(p *domain.RtpParameters) { p.Encodings[0].ScalabilityMode = "L1T7" }},
		{"SVC mode in a simulcast encoding", func(p *domain.RtpParameters) { p.Encodings[0].ScalabilityMode = "L3T3" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, 10)
			ctx := context.Background()
			roomID, producerPeer, audioID := w.publish(t, "alice")
			params := simulcastParams()
			tt.change(&params)
			_, err := w.uc.producerPeers.Produce(ctx, application.ProduceInput{PeerID: producerPeer, Kind: domain.MediaKindVideo, RtpParameters: params})
			require.ErrorIs(t, err, domain.ErrInvalidInput)
			require.Equal(t, 1, w.node(w.producer).Calls["Produce"], "only the setup's audio producer reached the slave")
			producers, err := w.rooms.ListProducers(ctx, roomID)
			require.NoError(t, err)
			require.Len(t, producers, 1)
			require.Equal(t, audioID, producers[0].ID)
		})
	}
}

func TestPreferredLayers(t *testing.T) {
	one, three, minus := 1, 3, -1
	type fixture struct {
		w                                     *world
		peer, simulcast, audio, single, other string
	}
	tests := []struct {
		name     string
		peer     func(f fixture) string // "" for the /consumers/:id route
		consumer func(f fixture) string
		layers   domain.ConsumerLayers
		err      error
	}{
		{"lowest", nil, nil, domain.ConsumerLayers{SpatialLayer: 0}, nil},
		{"middle with temporal, by peer", func(f fixture) string { return f.peer }, nil, domain.ConsumerLayers{SpatialLayer: 1, TemporalLayer: &one}, nil},
		{"negative spatial", nil, nil, domain.ConsumerLayers{SpatialLayer: -1}, domain.ErrInvalidInput},
		{"negative temporal", nil, nil, domain.ConsumerLayers{SpatialLayer: 1, TemporalLayer: &minus}, domain.ErrInvalidInput},
		{"spatial above the producer's", nil, nil, domain.ConsumerLayers{SpatialLayer: 3}, domain.ErrInvalidInput},
		{"temporal above the producer's", nil, nil, domain.ConsumerLayers{SpatialLayer: 2, TemporalLayer: &three}, domain.ErrInvalidInput},
		{"audio consumer", nil, func(f fixture) string { return f.audio }, domain.ConsumerLayers{}, domain.ErrInvalidInput},
		{"single-encoding video consumer", nil, func(f fixture) string { return f.single }, domain.ConsumerLayers{}, domain.ErrInvalidInput},
		{"unknown consumer", nil, func(fixture) string { return "nope" }, domain.ConsumerLayers{}, domain.ErrConsumerNotFound},
		{"consumer of another peer", func(f fixture) string { return f.other }, nil, domain.ConsumerLayers{}, domain.ErrConsumerNotFound},
		{"unknown peer", func(fixture) string { return "nope" }, nil, domain.ConsumerLayers{}, domain.ErrPeerNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, 10)
			ctx := context.Background()
			roomID, producerPeer, audioID := w.publish(t, "alice")
			videoID := w.produceVideo(t, producerPeer, simulcastParams())
			single := simulcastParams()
			single.Encodings = []domain.RtpEncodingParameters{{SSRC: 11111111, ScalabilityMode: "L1T3"}}
			singleID := w.produceVideo(t, producerPeer, single)
			router, peer, simulcastConsumer := w.subscribe(t, roomID, "bob", videoID)
			f := fixture{w: w, peer: peer, simulcast: simulcastConsumer}
			for _, p := range []struct {
				id  string
				dst *string
			}{{audioID, &f.audio}, {singleID, &f.single}} {
				c, err := w.uc.consumerPeers.Consume(ctx, application.ConsumeInput{PeerID: peer, ProducerID: p.id, RtpCapabilities: apptest.FakeCapabilities()})
				require.NoError(t, err)
				*p.dst = c.ID
			}
			other, err := w.uc.consumerPeers.Create(ctx, router, "carol")
			require.NoError(t, err)
			f.other = other.ID

			peerID, consumerID := "", f.simulcast
			if tt.peer != nil {
				peerID = tt.peer(f)
			}
			if tt.consumer != nil {
				consumerID = tt.consumer(f)
			}
			c, err := w.rooms.GetConsumer(ctx, simulcastConsumer)
			require.NoError(t, err)
			routerRow, err := w.rooms.GetRouter(ctx, router)
			require.NoError(t, err)
			node := w.nodes.Get(routerRow.SlaveID)
			require.Equal(t, c.PeerID, peer)

			err = w.uc.consumerPeers.SetPreferredLayers(ctx, layersInput(peerID, consumerID, tt.layers))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				require.Zero(t, node.Calls["SetConsumerPreferredLayers"], "refused on the master, before the slave")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.layers, node.Layers[consumerID])
			require.NoError(t, w.uc.consumerPeers.Resume(ctx, "", consumerID))
			st, err := w.uc.consumerPeers.Get(ctx, consumerID)
			require.NoError(t, err)
			require.Equal(t, &tt.layers, st.PreferredLayers)
			require.Equal(t, &tt.layers, st.CurrentLayers, "the fake sends what is preferred once resumed")
		})
	}
}

func layersInput(peerID, consumerID string, l domain.ConsumerLayers) application.PreferredLayersInput {
	return application.PreferredLayersInput{PeerID: peerID, ConsumerID: consumerID, SpatialLayer: &l.SpatialLayer, TemporalLayer: l.TemporalLayer}
}

func TestPreferredLayersAuthorization(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, producerPeer, _ := w.publish(t, "alice")
	videoID := w.produceVideo(t, producerPeer, simulcastParams())
	_, peer, consumerID := w.subscribe(t, roomID, "bob", videoID)

	mallory := application.WithActor(ctx, application.Actor{UserID: "mallory"})
	require.ErrorIs(t, w.uc.consumerPeers.SetPreferredLayers(mallory, layersInput("", consumerID, domain.ConsumerLayers{})), domain.ErrForbidden)
	require.ErrorIs(t, w.uc.consumerPeers.SetPreferredLayers(mallory, layersInput(peer, consumerID, domain.ConsumerLayers{})), domain.ErrForbidden)
	_, err := w.uc.consumerPeers.Get(mallory, consumerID)
	require.ErrorIs(t, err, domain.ErrForbidden)

	bob := application.WithActor(ctx, application.Actor{UserID: "bob", RoomID: roomID})
	require.NoError(t, w.uc.consumerPeers.SetPreferredLayers(bob, layersInput(peer, consumerID, domain.ConsumerLayers{SpatialLayer: 1})))
	require.ErrorIs(t, w.uc.consumerPeers.SetPreferredLayers(bob, application.PreferredLayersInput{ConsumerID: consumerID}), domain.ErrInvalidInput,
		"spatialLayer is required")
	st, err := w.uc.consumerPeers.Get(bob, consumerID)
	require.NoError(t, err)
	require.Equal(t, 1, st.PreferredLayers.SpatialLayer)
}
