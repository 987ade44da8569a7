package sdp_test

import (
	"errors"
	"testing"

	"github.com/sfu-cluster/sfu-cluster/adapters/sdp"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// FuzzParseOffer: any body a WHIP client sends is either refused as invalid input or gives tracks that pass
// POST /produce's checks and an answer that can be written; it never panics.
func FuzzParseOffer(f *testing.F) {
	for _, name := range []string{gstOffer, chromium, chromiumSimul} {
		f.Add(readOffer(f, name))
	}
	f.Add("v=0\r\n")
	caps := routerCaps(f)
	info := domain.TransportInfo{IceCandidates: []domain.IceCandidate{{Foundation: "f", IP: "192.0.2.1", Protocol: "udp", Port: 1, Type: "host"}},
		DtlsParameters: domain.DtlsParameters{Fingerprints: []domain.DtlsFingerprint{{Algorithm: "sha-256", Value: "AB"}}}}
	f.Fuzz(func(t *testing.T, raw string) {
		o, err := sdp.ParseOffer([]byte(raw), caps)
		if err != nil {
			if !errors.Is(err, domain.ErrInvalidInput) {
				t.Fatalf("refusal is not invalid input: %v", err)
			}
			return
		}
		if len(o.Tracks()) == 0 {
			t.Fatal("accepted an offer without tracks")
		}
		if _, err := o.Answer(info, 1); err != nil {
			t.Fatalf("answer: %v", err)
		}
	})
}
