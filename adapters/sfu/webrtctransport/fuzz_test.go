package webrtctransport

import (
	"net/netip"
	"testing"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testpeer"
)

// FuzzDispatch feeds arbitrary datagrams to the demultiplexer, from an
// address a transport validated and from one nobody did. `go test` runs the
// seeds; `go test -fuzz FuzzDispatch` explores.
func FuzzDispatch(f *testing.F) {
	m, err := NewMux(MuxConfig{ListenIP: "127.0.0.1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = m.Close() })
	tr, err := m.NewTransport(Params{ID: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	ufrag, pwd := tr.ICEParameters()
	// Validated but never answered: the port is discarded by the kernel.
	validated := netip.MustParseAddrPort("127.0.0.1:9")
	tr.validate(path{addr: validated, l: m.listeners[0]}, true, true)
	stranger := netip.MustParseAddrPort("127.0.0.1:7")

	f.Add(testpeer.BindingRequest(f, ufrag, pwd, true).Raw, true)
	f.Add(testpeer.BindingRequest(f, ufrag, "wrong", false).Raw, false)
	f.Add([]byte{22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, true)
	f.Add([]byte{0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, true)
	f.Add([]byte{0x80, 200, 0, 1, 0, 0, 0, 1}, false)
	f.Add([]byte{0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, false)

	rx := &rxState{buf: make([]byte, maxDatagram), plain: make([]byte, maxDatagram)}
	f.Fuzz(func(_ *testing.T, pkt []byte, fromValidated bool) {
		src := stranger
		if fromValidated {
			src = validated
		}
		// dispatch may write into the datagram (STUN integrity checks do),
		// as it may into the mux's read buffer.
		m.dispatch(rx, append([]byte(nil), pkt...), src, m.listeners[0])
	})
}
