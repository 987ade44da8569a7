package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Fuzz targets for the request bodies of the slave's internal API, through the real slave Fiber app (decoding, path
// ids, validation) on a fake node. What must hold for every input: the answer is a 2xx whose node call got validated
// input, or a well-formed JSON 4xx that never reached the node; never a 5xx (a recovered panic is a 500) and never
// a crash. `go test` runs the seeds; scripts/fuzz.sh explores.

// slaveFuzzRoute is a POST route with a body; %s is the path id.
type slaveFuzzRoute struct {
	path   string
	method string // the fake node's method the route calls
}

var slaveMediaRoutes = []slaveFuzzRoute{
	{"/internal/v1/routers", "CreateRouter"},
	{"/internal/v1/routers/%s/webrtc_transports", "CreateWebRtcTransport"},
	{"/internal/v1/webrtc_transports/%s/connect", "ConnectTransport"},
	{"/internal/v1/webrtc_transports/%s/producers", "Produce"},
	{"/internal/v1/webrtc_transports/%s/consumers", "Consume"},
}

var slavePipeRoutes = []slaveFuzzRoute{
	{"/internal/v1/routers/%s/pipe_transports", "CreatePipeTransport"},
	{"/internal/v1/pipe_transports/%s/connect", "ConnectPipeTransport"},
	{"/internal/v1/pipe_transports/%s/pipe_consume", "PipeConsume"},
	{"/internal/v1/pipe_transports/%s/pipe_produce", "PipeProduce"},
}

// slaveFuzzBodies are bodies every route gets as seeds: shapes a decoder must survive.
var slaveFuzzBodies = []string{
	``, `{}`, `null`, `[]`, `"x"`, `7`, `{"a":`, `{} {}`, `{"routerId":null}`, `{"transportId":[]}`,
	`{"producerId":"` + strings.Repeat("p", maxSlaveIDLen+1) + `"}`, `{"kind":"data"}`, `{"ip":"::","port":1}`,
	`{"rtpParameters":{"codecs":[{"payloadType":-1}],"encodings":[{"ssrc":-1}]}}`, "\x00\xff", `{"port":1e400}`,
}

// slaveFuzz is the slave app on a fake node, shared by the inputs of one fuzz target (the node forgets its calls
// between inputs).
type slaveFuzz struct {
	mu   sync.Mutex
	app  *fiber.App
	node *fakeNode
}

func newSlaveFuzz() *slaveFuzz {
	node := newFakeNode()
	return &slaveFuzz{node: node, app: NewSlaveServer(node, SlaveServerOptions{Secret: "fuzz-cluster-secret-0123"})}
}

// send posts body to the route with id in the path and checks the answer.
func (s *slaveFuzz) send(t *testing.T, r slaveFuzzRoute, id string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.node.reset()
	// Ids past maxSlaveIDLen are refused (covered below this cap); a longer request line than fasthttp's 4 KiB read
	// buffer is refused before the app, and app.Test reports it as an error rather than an answer.
	if len(id) > 2*maxSlaveIDLen {
		id = id[:2*maxSlaveIDLen]
	}
	path := strings.Replace(r.path, "%s", url.PathEscape(id), 1)
	a := testSlave(t, s.app, http.MethodPost, path, string(body), "Authorization", "Bearer fuzz-cluster-secret-0123")
	calls := s.node.recorded()
	switch {
	case a.status >= 200 && a.status < 300:
		if !json.Valid(a.body) {
			t.Fatalf("POST %s: %d with a body that is not JSON: %q", path, a.status, a.body)
		}
		if len(calls) != 1 || calls[0].Method != r.method {
			t.Fatalf("POST %s: %d but the node saw %v, want one %s", path, a.status, calls, r.method)
		}
		if err := validSlaveCall(calls[0]); err != nil {
			t.Fatalf("POST %s: %d passed input the node must never get: %v", path, a.status, err)
		}
	case a.status >= 400 && a.status < 500:
		var eb ErrorBody
		if err := json.Unmarshal(a.body, &eb); err != nil || eb.Code != a.status || eb.Error == "" || eb.Message == "" {
			t.Fatalf("POST %s: %d with a malformed error body %q", path, a.status, a.body)
		}
		if len(calls) != 0 {
			t.Fatalf("POST %s: %d %s after calling the node: %v", path, a.status, eb.Error, calls)
		}
	default:
		t.Fatalf("POST %s (body %q): status %d, body %s", path, body, a.status, a.body)
	}
}

// validSlaveCall re-checks what reached the node: the same rules the handlers promise to apply first.
func validSlaveCall(c fakeCall) error {
	for _, a := range c.Args {
		if id, ok := a.(string); ok {
			if err := requireSlaveID("id", id); err != nil {
				return err
			}
		}
	}
	switch c.Method {
	case "ConnectTransport":
		return c.Args[1].(domain.DtlsParameters).Validate()
	case "Produce":
		req := c.Args[0].(application.ProduceRequest)
		if err := requireSlaveID("transportId", req.TransportID); err != nil {
			return err
		}
		return validateSlaveKindAndRtp(req.Kind, req.RtpParameters)
	case "Consume":
		req := c.Args[0].(application.ConsumeRequest)
		if err := requireSlaveID("transportId", req.TransportID); err != nil {
			return err
		}
		return req.RtpCapabilities.Validate()
	case "ConnectPipeTransport":
		return validatePipeConnect(c.Args[1].(application.PipeConnectRequest))
	case "PipeProduce":
		p := c.Args[1].(application.PipedProducer)
		return validateSlaveKindAndRtp(p.Kind, p.RtpParameters)
	}
	return nil
}

// slaveSeedJSON is v as JSON for a seed.
func slaveSeedJSON(f *testing.F, v any) string {
	f.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		f.Fatal(err)
	}
	return string(data)
}

func FuzzSlaveMediaBody(f *testing.F) {
	fx := loadSlaveFixture(f)
	good := []string{
		slaveSeedJSON(f, slaveCreateRouterBody{RouterID: "r1"}),
		slaveSeedJSON(f, slaveCreateTransportBody{TransportID: "t1"}),
		slaveSeedJSON(f, slaveConnectBody{DtlsParameters: fx.SendConnect}),
		slaveSeedJSON(f, application.ProduceRequest{ProducerID: "p1", Kind: fx.Produce[0].Kind, RtpParameters: fx.Produce[0].RtpParameters}),
		slaveSeedJSON(f, application.ConsumeRequest{ConsumerID: "c1", ProducerID: "p1", RtpCapabilities: fx.RecvRtpCapabilities}),
	}
	for i := range slaveMediaRoutes {
		f.Add(uint8(i), "t1", []byte(good[i]))
		for _, b := range slaveFuzzBodies {
			f.Add(uint8(i), "t1", []byte(b))
		}
	}
	for _, p := range fx.Produce {
		f.Add(uint8(3), "t1", []byte(slaveSeedJSON(f, application.ProduceRequest{ProducerID: "p", Kind: p.Kind, RtpParameters: p.RtpParameters})))
	}
	f.Add(uint8(2), "a/b%", []byte(`{"dtlsParameters":{"role":"client","fingerprints":[{"algorithm":"sha-256","value":"AB"}]}}`))
	f.Add(uint8(4), "", []byte(`{"consumerId":"c","producerId":"p","rtpCapabilities":{"codecs":[{"kind":"video","mimeType":"video/rtx","clockRate":90000}]}}`))
	s := newSlaveFuzz()
	f.Fuzz(func(t *testing.T, route uint8, id string, body []byte) {
		s.send(t, slaveMediaRoutes[int(route)%len(slaveMediaRoutes)], id, body)
	})
}

func FuzzSlavePipeBody(f *testing.F) {
	fx := loadSlaveFixture(f)
	audio := fx.Produce[0]
	good := []string{
		slaveSeedJSON(f, slaveCreatePipeBody{TransportID: "pt1", SRTP: true}),
		slaveSeedJSON(f, application.PipeConnectRequest{IP: "10.0.0.6", Port: 42000,
			SrtpParameters: &domain.SrtpParameters{CryptoSuite: "AEAD_AES_256_GCM", KeyBase64: "a2V5"}}),
		slaveSeedJSON(f, slavePipeConsumeBody{ProducerID: "p1"}),
		slaveSeedJSON(f, application.PipedProducer{ProducerID: "p1", Kind: audio.Kind, RtpParameters: audio.RtpParameters, Paused: true}),
	}
	for i := range slavePipeRoutes {
		f.Add(uint8(i), "pt1", []byte(good[i]))
		for _, b := range slaveFuzzBodies {
			f.Add(uint8(i), "pt1", []byte(b))
		}
	}
	for _, b := range []string{
		`{"ip":"10.0.0.6","port":42000}`, `{"ip":"fe80::1%eth0","port":1}`, `{"ip":"224.0.0.1","port":5004}`,
		`{"ip":"example.com","port":80}`, `{"ip":"10.0.0.6","port":70000}`, `{"ip":"10.0.0.6","port":1,"srtpParameters":{}}`,
		`{"ip":"10.0.0.6","port":1,"srtpParameters":{"cryptoSuite":"x","keyBase64":"***"}}`, `{"ip":"10.0.0.6","port":1,"srtpParameters":null}`,
	} {
		f.Add(uint8(1), "pt1", []byte(b))
	}
	s := newSlaveFuzz()
	f.Fuzz(func(t *testing.T, route uint8, id string, body []byte) {
		s.send(t, slavePipeRoutes[int(route)%len(slavePipeRoutes)], id, body)
	})
}
