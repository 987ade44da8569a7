package httpapi_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// simulcastConsumer adds a publisher of mediasoup-client's 3-layer simulcast video (the fixture) and bob's
// consumer of it, for the preferred-layers targets.
func (w *fuzzWorld) simulcastConsumer(f *testing.F) string {
	f.Helper()
	ctx := context.Background()
	carol, err := w.uc.ProducerPeers.Create(ctx, w.roomID, "carol")
	must(f, err)
	var params domain.RtpParameters
	must(f, json.Unmarshal(w.fixture.Produce[2].RtpParameters, &params))
	producerID, err := w.uc.ProducerPeers.Produce(ctx, application.ProduceInput{PeerID: carol.ID, Kind: domain.MediaKindVideo, RtpParameters: params})
	must(f, err)
	var caps domain.RtpCapabilities
	must(f, json.Unmarshal(w.fixture.RecvRtpCapabilities, &caps))
	cons, err := w.uc.ConsumerPeers.Consume(ctx, application.ConsumeInput{PeerID: w.bobPeer, ProducerID: producerID, RtpCapabilities: caps})
	must(f, err)
	return cons.ID
}

func FuzzPreferredLayersBody(f *testing.F) {
	w := newFuzzWorld(f)
	sim := w.simulcastConsumer(f)
	for _, s := range []string{
		`{"consumerId":"` + sim + `","spatialLayer":1}`, `{"consumerId":"` + sim + `","spatialLayer":2,"temporalLayer":0}`,
		`{"consumerId":"` + sim + `","spatialLayer":1.5}`, `{"consumerId":"` + sim + `","spatialLayer":-1}`,
		`{"consumerId":"` + sim + `","spatialLayer":"1"}`, `{"consumerId":"` + sim + `","spatialLayer":9007199254740993}`,
		`{"consumerId":"` + w.bobCons + `","spatialLayer":0}`, `{"consumerId":"nope","spatialLayer":0}`,
		`{"consumerId":"` + sim + `","spatialLayer":0,"temporalLayer":null}`, ``, `{}`, `{"spatialLayer":0}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w.send(t, "POST", "/consumer_peers/"+w.bobPeer+"/preferred_layers", body)
		w.send(t, "POST", "/consumers/"+sim+"/preferred_layers", body)
	})
}
