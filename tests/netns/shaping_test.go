package netns

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// countUDP is the helper that counts what reaches the namespace: it listens on NETNS_ADDR, says "ready", and
// after NETNS_FOR prints the bytes it received.
func countUDP() {
	conn, err := net.ListenPacket("udp4", os.Getenv("NETNS_ADDR"))
	if err != nil {
		os.Exit(1)
	}
	d, _ := time.ParseDuration(os.Getenv("NETNS_FOR"))
	fmt.Println("ready")
	total := 0
	buf := make([]byte, 2048)
	_ = conn.SetReadDeadline(time.Now().Add(d))
	for {
		k, _, err := conn.ReadFrom(buf)
		if err != nil {
			break
		}
		total += k
	}
	fmt.Println(total)
	os.Exit(0)
}

// blast sends rate bit/s of 1000-byte datagrams for d to the namespace's port 40000 and returns the bytes the
// namespace received.
func blast(t *testing.T, n *Namespace, rate int, d time.Duration) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	addr := net.JoinHostPort(n.IP.String(), "40000")
	cmd := n.Command(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "NETNS_HELPER=count", "NETNS_ADDR="+addr, "NETNS_FOR="+(d+500*time.Millisecond).String())
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(out)
	require.True(t, lines.Scan())
	require.Equal(t, "ready", lines.Text())

	conn, err := net.Dial("udp4", addr)
	require.NoError(t, err)
	defer conn.Close()
	pkt := make([]byte, 1000)
	every := time.Duration(int64(len(pkt)*8) * int64(time.Second) / int64(rate))
	tick := time.NewTicker(every)
	defer tick.Stop()
	for start := time.Now(); time.Since(start) < d; <-tick.C {
		_, _ = conn.Write(pkt)
	}
	require.True(t, lines.Scan())
	var got int
	_, err = fmt.Sscan(strings.TrimSpace(lines.Text()), &got)
	require.NoError(t, err)
	require.NoError(t, cmd.Wait())
	return got
}

func TestLimitDownlinkAndRandomLoss(t *testing.T) {
	n := New(t)
	const rate, d = 1_500_000, 2 * time.Second
	open := blast(t, n, rate, d)
	t.Logf("1.5 Mbit/s for %v, no cap: %d bytes received", d, open)
	require.Greater(t, open, rate/8*2*8/10, "most of it arrives without a cap")

	n.LimitDownlink(t, 300)
	capped := blast(t, n, rate, d)
	t.Logf("capped at 300 kbit/s: %d bytes received (%.0f kbit/s)", capped, float64(capped)*8/d.Seconds()/1000)
	require.InDelta(t, 300_000/8*2, capped, 0.35*300_000/8*2, "about the cap")

	n.Unlimit(t)
	n.LoseRandom(t, 10)
	lossy := blast(t, n, rate, d) // ~375 datagrams: 10 % ± 1.5 %
	lost := n.RandomlyLost(t)
	t.Logf("10 %% random loss: %d datagrams dropped of %d", lost, lost+lossy/1000)
	require.InDelta(t, 0.10, float64(lost)/float64(lost+lossy/1000), 0.06)
	n.LoseRandom(t, 0)
}
