package domain_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// The fuzz targets decode a request body's parameters the way the master does (encoding/json into the domain
// types) and validate them. They check that nothing panics, that every rejection is domain.ErrInvalidInput (the
// HTTP layer maps it to 400), that what passes holds the invariants the rest of the cluster relies on, and that
// validation survives a JSON round trip (the master stores parameters as JSON and the slave re-reads them).
// `go test` runs the seeds; scripts/fuzz.sh explores.

// browserFixture is the JSON mediasoup-client 3.24.1 sent from Chromium 156, kept raw so the seeds are its bytes.
type browserFixture struct {
	RecvRtpCapabilities json.RawMessage `json:"recvRtpCapabilities"`
	Produce             []struct {
		Kind          string          `json:"kind"`
		RtpParameters json.RawMessage `json:"rtpParameters"`
	} `json:"produce"`
	SendConnect json.RawMessage `json:"sendConnect"`
	RecvConnect json.RawMessage `json:"recvConnect"`
}

func loadBrowserFixture(f *testing.F) browserFixture {
	f.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "mediasoup-client-3.24.1-chromium-156.json"))
	if err != nil {
		f.Fatal(err)
	}
	var fx browserFixture
	if err := json.Unmarshal(data, &fx); err != nil {
		f.Fatal(err)
	}
	return fx
}

// requireInvalidInput fails unless err is nil or a domain.ErrInvalidInput.
func requireInvalidInput(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil && !errors.Is(err, domain.ErrInvalidInput) {
		t.Fatalf("%s: rejection is not ErrInvalidInput: %v", what, err)
	}
}

// roundTrip marshals v and decodes it into a fresh value of the same type.
func roundTrip[T any](t *testing.T, v T) T {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal a decoded value: %v", err)
	}
	var out T
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return out
}

func FuzzRtpParametersValidate(f *testing.F) {
	fx := loadBrowserFixture(f)
	for _, p := range fx.Produce {
		f.Add([]byte(p.RtpParameters), p.Kind == "video")
	}
	f.Add([]byte(`{"codecs":[{"mimeType":"video/rtx","payloadType":97,"clockRate":90000,"parameters":{"apt":96}}],"encodings":[{"ssrc":1}]}`), true)
	f.Add([]byte(`{"codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000},{"mimeType":"video/rtx","payloadType":97,"clockRate":90000,"parameters":{"apt":1e300}}],"encodings":[{"ssrc":1,"rtx":{"ssrc":0}}]}`), true)
	f.Add([]byte(`{"codecs":[{"mimeType":"audio/opus","payloadType":-1,"clockRate":48000,"parameters":{"x":{"y":[]}}}],"encodings":[{"rid":"h"},{"rid":"l"}]}`), false)
	f.Add([]byte(`{"codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000}],"headerExtensions":[{"uri":"a","id":0},{"uri":"a","id":256}],"encodings":[]}`), false)
	f.Add([]byte(`{"codecs":null,"encodings":null,"rtcp":{"mux":null}}`), true)
	f.Add([]byte(`{"codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000}],"encodings":[{"rid":"r0","scalabilityMode":"L1T3"},{"rid":"r1","scalabilityMode":"L1T3"},{"rid":"r2","scalabilityMode":"L3T3_KEY"}]}`), true)

	f.Fuzz(func(t *testing.T, data []byte, video bool) {
		kind := domain.MediaKindAudio
		if video {
			kind = domain.MediaKindVideo
		}
		var p domain.RtpParameters
		if json.Unmarshal(data, &p) != nil {
			return
		}
		err := p.Validate(kind)
		requireInvalidInput(t, "RtpParameters.Validate", err)
		_ = p.IsSimulcast()
		encErr := p.ValidateEncodings()
		requireInvalidInput(t, "RtpParameters.ValidateEncodings", encErr)
		if spatial, temporal, ok := p.SimulcastLayers(); encErr == nil && ok && (spatial < 2 || spatial > domain.MaxSimulcastEncodings || temporal < 1 || temporal > 3) {
			t.Fatalf("valid encodings with %d spatial and %d temporal layers", spatial, temporal)
		}
		if err == nil {
			checkValidRtpParameters(t, p, kind)
		}
		if again := roundTrip(t, p).Validate(kind); (again == nil) != (err == nil) {
			t.Fatalf("validation changed across a JSON round trip: %v, then %v", err, again)
		}
	})
}

// checkValidRtpParameters asserts what the slave relies on once Validate passed.
func checkValidRtpParameters(t *testing.T, p domain.RtpParameters, kind domain.MediaKind) {
	t.Helper()
	if len(p.Codecs) == 0 || len(p.Encodings) == 0 {
		t.Fatalf("valid parameters without a codec or an encoding: %+v", p)
	}
	if domain.IsRtxMime(p.Codecs[0].MimeType) {
		t.Fatalf("valid parameters whose first codec is rtx: %+v", p.Codecs[0])
	}
	pts := map[int]bool{}
	for _, c := range p.Codecs {
		if k, err := domain.MimeKind("", c.MimeType); err != nil || k != kind {
			t.Fatalf("valid codec %q of the wrong kind for %s", c.MimeType, kind)
		}
		if c.PayloadType < 0 || c.PayloadType > 127 || pts[c.PayloadType] || c.ClockRate <= 0 {
			t.Fatalf("valid codec with a bad or duplicate payload type or clock rate: %+v", c)
		}
		pts[c.PayloadType] = true
		for k := range c.Parameters {
			_ = c.Parameters.String(k)
		}
	}
	for _, c := range p.Codecs {
		if apt, ok := c.Parameters.Number("apt"); domain.IsRtxMime(c.MimeType) && (!ok || !pts[apt]) {
			t.Fatalf("valid rtx codec whose apt names no codec: %+v", c)
		}
	}
	for _, e := range p.Encodings {
		if e.SSRC == 0 && e.RID == "" {
			t.Fatalf("valid encoding without ssrc or rid: %+v", e)
		}
	}
}

func FuzzRtpCapabilitiesValidate(f *testing.F) {
	fx := loadBrowserFixture(f)
	f.Add([]byte(fx.RecvRtpCapabilities))
	f.Add([]byte(`{"codecs":[{"kind":"video","mimeType":"video/rtx","clockRate":90000,"parameters":{"apt":"101"}}]}`))
	f.Add([]byte(`{"codecs":[{"kind":"audio","mimeType":"video/VP8","clockRate":90000,"preferredPayloadType":128}],"headerExtensions":[{"kind":"video","uri":"x","preferredId":256,"direction":"up"}]}`))
	f.Add([]byte(`{"codecs":[{"mimeType":"audio//opus","clockRate":-1,"channels":-2,"rtcpFeedback":[{"type":""}],"parameters":{"a":true,"b":null}}]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		var c domain.RtpCapabilities
		if json.Unmarshal(data, &c) != nil {
			return
		}
		err := c.Validate()
		requireInvalidInput(t, "RtpCapabilities.Validate", err)
		for _, codec := range c.Codecs {
			for k := range codec.Parameters {
				_ = codec.Parameters.String(k)
				_, _ = codec.Parameters.Number(k)
			}
			if err == nil {
				if k, kerr := domain.MimeKind("", codec.MimeType); kerr != nil || k != codec.Kind || codec.ClockRate <= 0 {
					t.Fatalf("valid capability codec with a bad kind, mimeType or clock rate: %+v", codec)
				}
			}
		}
		if err == nil {
			for _, e := range c.HeaderExtensions {
				if e.PreferredID < 1 || e.PreferredID > 255 || e.URI == "" {
					t.Fatalf("valid header extension with a bad id or no uri: %+v", e)
				}
			}
		}
		if again := roundTrip(t, c).Validate(); (again == nil) != (err == nil) {
			t.Fatalf("validation changed across a JSON round trip: %v, then %v", err, again)
		}
	})
}

func FuzzDtlsParametersValidate(f *testing.F) {
	fx := loadBrowserFixture(f)
	f.Add([]byte(fx.SendConnect))
	f.Add([]byte(fx.RecvConnect))
	f.Add([]byte(`{"role":"auto","fingerprints":[{"algorithm":"sha-512","value":"aa:BB"}]}`))
	f.Add([]byte(`{"role":"server","fingerprints":[{"algorithm":"md5","value":"AA:BB"},{"algorithm":"sha-1","value":"AA:"}]}`))
	f.Add([]byte(`{"role":"actpass","fingerprints":[]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		var d domain.DtlsParameters
		if json.Unmarshal(data, &d) != nil {
			return
		}
		err := d.Validate()
		requireInvalidInput(t, "DtlsParameters.Validate", err)
		if err == nil && len(d.Fingerprints) == 0 {
			t.Fatal("valid DTLS parameters without a fingerprint")
		}
		if again := roundTrip(t, d).Validate(); (again == nil) != (err == nil) {
			t.Fatalf("validation changed across a JSON round trip: %v, then %v", err, again)
		}
	})
}
