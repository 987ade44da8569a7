package sfu

import (
	"fmt"
	"runtime"
	"slices"
	"testing"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// BenchmarkSFUFanoutTransportCC is BenchmarkSFUFanout/kind=simple with transport-cc negotiated by every viewer
// (each packet gets its transport's next transport-wide sequence number and a slot in its send history) and
// without (viewers whose capabilities do not list the extension), side by side in one run:
// `benchstat -col /twcc` compares them.
func BenchmarkSFUFanoutTransportCC(b *testing.B) {
	for _, n := range []int{10, 100, 500} {
		for _, on := range []bool{false, true} {
			name := fmt.Sprintf("N=%d/twcc=off", n)
			if on {
				name = fmt.Sprintf("N=%d/twcc=on", n)
			}
			b.Run(name, func(b *testing.B) { benchTransportCC(b, n, on) })
		}
	}
}

func benchTransportCC(b *testing.B, n int, on bool) {
	br := loadBrowser(b)
	if !on {
		br.RecvRtpCapabilities.HeaderExtensions = slices.DeleteFunc(slices.Clone(br.RecvRtpCapabilities.HeaderExtensions),
			func(e domain.RtpHeaderExtension) bool { return e.URI == ortc.URITransportCC })
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	node, up, ssrc := newFanoutNode(b, br, n, -1)
	node.mu.Lock()
	c := node.consumers["tc0"]
	node.mu.Unlock()
	if (c.twccExtID != 0) != on {
		b.Fatalf("transport-cc negotiated: %v, want %v", c.twccExtID != 0, on)
	}
	f := newFeed(b, up, ssrc)
	forwarded := uint64(1)
	var m meter
	b.ReportAllocs()
	loopBursts(b, &m, func(k int) { f.queue(b, k) }, func() {
		f.forward(b)
		forwarded++
	})
	m.report(b, n, false)
	requireForwarded(b, node, n, forwarded)
}
