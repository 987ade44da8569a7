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

// blast sends rate bit/s of 1000-byte datagrams for d to the namespace's port 40000 (fewer if the machine is too
// busy to keep the pace) and returns the bytes sent and those the namespace received.
func blast(t *testing.T, n *Namespace, rate int, d time.Duration) (sent, received int) {
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
	// Paced by the clock: a late wakeup sends what is due (a busy machine oversleeps a ticker's 5 ms).
	for start := time.Now(); time.Since(start) < d; time.Sleep(2 * time.Millisecond) {
		due := int(time.Since(start).Seconds() * float64(rate) / 8)
		for ; sent < due; sent += len(pkt) {
			_, _ = conn.Write(pkt)
		}
	}
	require.True(t, lines.Scan())
	var got int
	_, err = fmt.Sscan(strings.TrimSpace(lines.Text()), &got)
	require.NoError(t, err)
	require.NoError(t, cmd.Wait())
	return sent, got
}

func TestLimitDownlinkAndRandomLoss(t *testing.T) {
	n := New(t)
	const rate, d = 1_500_000, 2 * time.Second
	sent, open := blast(t, n, rate, d)
	t.Logf("up to 1.5 Mbit/s for %v, no cap: %d of %d bytes received", d, open, sent)
	require.GreaterOrEqual(t, open, sent*95/100, "everything arrives without a cap")

	n.LimitDownlink(t, 300)
	sent, capped := blast(t, n, rate, d)
	t.Logf("capped at 300 kbit/s: %d of %d bytes received (%.0f kbit/s)", capped, sent, float64(capped)*8/d.Seconds()/1000)
	require.Greater(t, sent, 2*300_000/8*2, "the sender kept more than twice the cap's pace")
	require.InDelta(t, 300_000/8*2, capped, 0.4*300_000/8*2, "about the cap (a busy machine sends in bursts: tbf drops some)")

	n.Unlimit(t)
	n.LoseRandom(t, 10)
	sent, lossy := blast(t, n, rate, d) // ~375 datagrams: 10 % ± 1.5 %
	lost := n.RandomlyLost(t)
	t.Logf("10 %% random loss: %d datagrams dropped of %d sent (%d received)", lost, sent/1000, lossy/1000)
	require.Equal(t, sent/1000, lost+lossy/1000, "every datagram either dropped by the rule or received")
	require.Greater(t, sent/1000, 150)
	require.InDelta(t, 0.10, float64(lost)/float64(sent/1000), 0.06)
	n.LoseRandom(t, 0)
}
