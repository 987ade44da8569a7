package httpapi_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// One fuzz target per request body of the master's public API and slave registry, each driving the real Fiber
// app (decodeBody, the handlers' validation, the use cases) on in-memory fakes; fuzzWorld.send checks that every
// answer is a 2xx or a well-formed 4xx. `go test` runs the seeds; scripts/fuzz.sh explores.

// userBodySeeds are {userId} bodies, good and bad.
var userBodySeeds = []string{
	`{"userId":"alice"}`, ``, `{}`, `null`, `[]`, `"alice"`, `{"userId":""}`, `{"userId":123}`, `{"userId":null}`,
	`{"userId":"` + strings.Repeat("u", domain.MaxUserIDLen+1) + `"}`, `{"userId":"a","userId":"b"}`,
	`  {"userId":"\u0000\ud800"}  `, `{"userId":"x"} {"userId":"y"}`, `{"userId":"x"`, `{"userId":{"$gt":""}}`,
}

// userRoutes are the routes that take a {userId} body; %[1]s is the room, %[2]s bob's consumer router.
var userRoutes = []string{
	"/rooms/%[1]s/producer_peers", "/rooms/%[1]s/producer_transports", "/rooms/%[1]s/consumer_routers",
	"/router/%[2]s/consumer_peers", "/router/%[2]s/consumer_transports", "/rooms/%[1]s/consumer_transports",
}

func FuzzUserBody(f *testing.F) {
	w := newFuzzWorld(f)
	for i := range userRoutes {
		for _, s := range userBodySeeds {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		i := int(route) % len(userRoutes)
		a := w.send(t, "POST", fmt.Sprintf(userRoutes[i], w.roomID, w.routerID), body)
		// A consumer router is shared by the room's viewers on a slave: only peers are per request.
		if id := a.id(); id != "" && !strings.HasSuffix(userRoutes[i], "consumer_routers") {
			w.closePeer(t, id)
		}
	})
}

func FuzzConnectBody(f *testing.F) {
	w := newFuzzWorld(f)
	for _, consumer := range []bool{false, true} {
		for _, s := range []string{
			`{"dtlsParameters":` + string(w.fixture.SendConnect) + `}`, `{"dtlsParameters":` + string(w.fixture.RecvConnect) + `}`,
			``, `{}`, `{"dtlsParameters":null}`, `{"dtlsParameters":[]}`, `{"dtlsParameters":{"role":"actpass","fingerprints":[]}}`,
			`{"dtlsParameters":{"fingerprints":[{"algorithm":"sha-256","value":"zz"}]}}`,
			`{"dtlsParameters":{"role":"server","fingerprints":[{"algorithm":"sha-1","value":"AB:CD"},{"algorithm":1}]}}`,
		} {
			f.Add(consumer, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, consumer bool, body []byte) {
		kind, path := domain.PeerKindProducer, "/producer_peers/%s/connect"
		if consumer {
			kind, path = domain.PeerKindConsumer, "/consumer_transports/%s/connect"
		}
		peer := w.freshPeer(t, kind)
		defer w.closePeer(t, peer)
		w.send(t, "POST", fmt.Sprintf(path, peer), body)
	})
}

func FuzzProduceBody(f *testing.F) {
	w := newFuzzWorld(f)
	for _, p := range w.fixture.Produce {
		f.Add([]byte(`{"kind":"` + p.Kind + `","rtpParameters":` + string(p.RtpParameters) + `}`))
		f.Add([]byte(`{"kind":"audio","rtpParameters":` + string(p.RtpParameters) + `,"appData":{"x":1}}`))
	}
	for _, s := range []string{
		``, `{}`, `{"kind":"video"}`, `{"kind":"data","rtpParameters":{}}`, `{"kind":"video","rtpParameters":null}`,
		`{"kind":"video","rtpParameters":{"codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000}],"encodings":[{"rid":"h"},{"rid":"l"}]}}`,
		`{"kind":"video","rtpParameters":{"codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000,"parameters":{"a":[1]}}],"encodings":[{"ssrc":1}]}}`,
		`{"kind":"audio","rtpParameters":{"codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000}],"encodings":[{"ssrc":4294967296}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		peer := w.freshPeer(t, domain.PeerKindProducer)
		defer w.closePeer(t, peer)
		w.send(t, "POST", "/producer_peers/"+peer+"/produce", body)
	})
}

func FuzzConsumeBody(f *testing.F) {
	w := newFuzzWorld(f)
	caps := string(w.fixture.RecvRtpCapabilities)
	for _, s := range []string{
		`{"producerId":"` + w.producerID + `","rtpCapabilities":` + caps + `}`,
		`{"producerId":"nope","rtpCapabilities":` + caps + `}`,
		`{"producerId":"` + w.producerID + `","rtpCapabilities":{"codecs":[]}}`,
		`{"producerId":"` + w.producerID + `","rtpCapabilities":{"codecs":[{"kind":"video","mimeType":"video/rtx","clockRate":90000}]}}`,
		`{"producerId":"` + w.producerID + `"}`, `{"rtpCapabilities":` + caps + `}`, ``, `{}`, `{"producerId":7}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		peer := w.freshPeer(t, domain.PeerKindConsumer)
		defer w.closePeer(t, peer)
		w.send(t, "POST", "/consumer_peers/"+peer+"/consume", body)
	})
}

func FuzzResumeBody(f *testing.F) {
	w := newFuzzWorld(f)
	for _, s := range []string{`{"consumerId":"` + w.bobCons + `"}`, `{"consumerId":"nope"}`, `{"consumerId":""}`, ``, `{}`, `{"consumerId":[]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w.send(t, "POST", "/consumer_peers/"+w.bobPeer+"/resume", body)
	})
}

func FuzzLogoutBody(f *testing.F) {
	w := newFuzzWorld(f)
	for _, s := range []string{`{"roomId":"` + w.roomID + `"}`, `{"roomId":"nope"}`, `{"roomId":""}`, ``, `{}`, `{"roomId":1}`, `{"roomId":"` + w.roomID + `"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := w.uc.ProducerPeers.Create(context.Background(), w.roomID, "leaver"); err != nil {
			t.Fatal(err)
		}
		w.send(t, "POST", "/user/leaver/logout", body)
		if err := w.uc.Peers.Logout(context.Background(), "leaver", ""); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzCreateRoomBody(f *testing.F) {
	w := newFuzzWorld(f)
	for _, s := range []string{``, `{}`, `{"name":"x"}`, `[]`, `{`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if id := w.send(t, "POST", "/rooms", body).id(); id != "" {
			if err := w.uc.Rooms.Delete(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzListRoomsQuery: GET /rooms?page=&pageSize= with any query values.
func FuzzListRoomsQuery(f *testing.F) {
	w := newFuzzWorld(f)
	for _, q := range [][2]string{{"", ""}, {"1", "20"}, {"0", "0"}, {"-1", "5"}, {"2", "101"}, {"x", "1"}, {"+1", "1e2"}, {"9223372036854775807", "1"}} {
		f.Add(q[0], q[1])
	}
	f.Fuzz(func(t *testing.T, page, pageSize string) {
		w.send(t, "GET", "/rooms?page="+url.QueryEscape(page)+"&pageSize="+url.QueryEscape(pageSize), nil)
	})
}

func FuzzSlaveRegisterBody(f *testing.F) {
	w := newFuzzWorld(f)
	for _, s := range []string{
		`{"role":"producer","apiUrl":"http://10.0.0.5:3011","maxTransports":500}`,
		`{"role":"consumer","apiUrl":"https://[::1]:3012/","maxTransports":1}`,
		`{"role":"relay","apiUrl":"http://x","maxTransports":1}`, `{"role":"producer","apiUrl":"ftp://x","maxTransports":1}`,
		`{"role":"producer","apiUrl":"http://x","maxTransports":0}`, `{"role":"producer","apiUrl":"http://x","maxTransports":1e10}`,
		`{"role":"producer","apiUrl":"http://%zz","maxTransports":1}`, ``, `{}`, `{"maxTransports":"1"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if id := w.send(t, "POST", "/slaves", body).id(); id != "" {
			if err := w.uc.Slaves.Deregister(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzSlaveHeartbeatBody(f *testing.F) {
	w := newFuzzWorld(f)
	for _, s := range []string{
		`{"transports":1,"routers":1,"producers":0,"consumers":2,"cpu":0.25,"packetsOut":100,"cpuSeconds":1.5}`,
		``, `{}`, `{"cpu":-1}`, `{"transports":-5}`, `{"cpu":1e308}`, `{"packetsOut":-1}`, `{"cpu":"high"}`, `{"cpu":1e999}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w.send(t, "POST", "/slaves/"+w.consumer.ID+"/heartbeat", body)
	})
}
