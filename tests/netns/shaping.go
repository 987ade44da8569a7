package netns

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// Link shaping for the downlink test bed (issue 16). These kernels have tbf and htb but no netem, fq or cake
// (DESIGN.md): a rate cap is a tbf on the host end of the veth pair (its egress is what the namespace receives),
// random loss an nftables rule in the namespace (numgen random). Both go with the namespace when the test ends.

// LimitDownlink caps what the namespace receives at kbit kbit/s (tbf, ~100 ms of queue); it replaces an earlier
// cap.
func (n *Namespace) LimitDownlink(t testing.TB, kbit int) {
	t.Helper()
	burst := max(kbit*1000/8/50, 3000) // 20 ms at the rate, at least two full packets
	n.tc(t, "qdisc", "replace", "dev", n.hostLink, "root", "tbf", "rate", fmt.Sprintf("%dkbit", kbit),
		"burst", fmt.Sprint(burst), "latency", "100ms")
}

// Unlimit lifts LimitDownlink's cap.
func (n *Namespace) Unlimit(t testing.TB) {
	t.Helper()
	n.tc(t, "qdisc", "del", "dev", n.hostLink, "root")
}

func (n *Namespace) tc(t testing.TB, args ...string) {
	t.Helper()
	if _, err := exec.LookPath("tc"); err != nil {
		skipOrFail(t, "tc not found (apt-get install -y iproute2)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "tc", args...).CombinedOutput(); err != nil { //nolint:gosec // a test's own command
		t.Fatalf("netns: tc %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// LoseRandom drops pct % of the UDP datagrams the namespace receives, at random (0 removes the rule);
// RandomlyLost counts them.
func (n *Namespace) LoseRandom(t testing.TB, pct int) {
	t.Helper()
	if _, err := exec.LookPath("nft"); err != nil {
		skipOrFail(t, "nft not found (apt-get install -y nftables)")
	}
	rules := "delete table inet sfuloss\n"
	if !n.lossTable {
		rules = ""
	}
	if pct > 0 {
		rules += fmt.Sprintf(`table inet sfuloss {
  chain in { type filter hook input priority -10; policy accept; iifname "lo" accept; meta l4proto udp numgen random mod 100 < %d counter drop; }
}
`, pct)
	}
	n.lossTable = pct > 0
	if rules == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := n.Command(ctx, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("netns: nft in %s: %v: %s", n.Name, err, out)
	}
}

// RandomlyLost is how many datagrams LoseRandom's rule dropped so far.
func (n *Namespace) RandomlyLost(t testing.TB) int {
	t.Helper()
	return n.counted(t, "sfuloss")
}
