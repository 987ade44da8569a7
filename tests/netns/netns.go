// Package netns gives tests network namespaces of their own: a namespace linked to the host's by a veth pair on a
// private /30, its processes started with Command (ip netns exec), and nftables rules such as DropUDP. Everything
// a test makes is removed when it ends, failed or not (t.Cleanup), and nothing else is touched: names and subnets
// are random and checked against what exists.
//
// It needs Linux, root, iproute2 (`ip`) and, for rules, nftables (`nft`). Where a namespace cannot be made, New
// skips the test saying why, unless REQUIRE_NETNS=1 (CI) makes that a failure.
package netns

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Namespace is one test's network namespace. The host side of its veth pair has HostIP, the namespace side IP;
// the namespace's default route goes through HostIP, so its processes reach every address of the host's
// namespace (a server of the test bound to HostIP or 0.0.0.0), and nothing beyond.
type Namespace struct {
	Name      string
	IP        netip.Addr
	HostIP    netip.Addr
	hostLink  string
	lossTable bool // LoseRandom's table exists
}

// cmdTimeout bounds each ip/nft command.
const cmdTimeout = 20 * time.Second

// New makes a namespace for t, removed when t ends.
func New(t testing.TB) *Namespace {
	t.Helper()
	if err := available(); err != nil {
		skipOrFail(t, err.Error())
	}
	id := randomHex(t, 4)
	n := &Namespace{Name: "sfutest-" + id, hostLink: "st" + id + "h"}
	nsLink := "st" + id + "n"
	var err error
	if n.HostIP, n.IP, err = freeSubnet(); err != nil {
		t.Fatalf("netns: %v", err)
	}
	// Registered before anything exists, so a setup that fails half-way is undone too.
	t.Cleanup(func() { n.remove(t) })
	if out, err := ip("netns", "add", n.Name); err != nil {
		skipOrFail(t, fmt.Sprintf("cannot create a network namespace: %v: %s", err, out))
	}
	// IPv6 is off on both ends before the links come up: otherwise each gets a link-local address whose duplicate
	// address detection ends a second or two later, and Chromium, started by then, takes that address change for a
	// network change and fails its loads with net::ERR_NETWORK_CHANGED.
	steps := [][]string{
		{"link", "add", n.hostLink, "type", "veth", "peer", "name", nsLink},
		{"link", "set", nsLink, "netns", n.Name},
		{"netns", "exec", n.Name, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && " +
			"echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 && echo 1 > /proc/sys/net/ipv6/conf/" + nsLink + "/disable_ipv6"},
		{"addr", "add", n.HostIP.String() + "/30", "dev", n.hostLink},
		{"link", "set", n.hostLink, "up"},
		{"netns", "exec", n.Name, "ip", "link", "set", "lo", "up"},
		{"netns", "exec", n.Name, "ip", "addr", "add", n.IP.String() + "/30", "dev", nsLink},
		{"netns", "exec", n.Name, "ip", "link", "set", nsLink, "up"},
		{"netns", "exec", n.Name, "ip", "route", "add", "default", "via", n.HostIP.String()},
	}
	for _, args := range steps {
		if out, err := ip(args...); err != nil {
			t.Fatalf("netns: ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	disableIPv6(n.hostLink)
	n.waitSettled(t, nsLink)
	return n
}

// disableIPv6 turns IPv6 off on the host's end of a pair (best effort: a host without IPv6 has no such file).
func disableIPv6(link string) {
	_ = os.WriteFile("/proc/sys/net/ipv6/conf/"+link+"/disable_ipv6", []byte("1"), 0o600)
}

// waitSettled waits until the namespace's end of the pair has carrier and its address is no longer tentative, so
// nothing about the network changes under the processes a test starts next.
func (n *Namespace) waitSettled(t testing.TB, nsLink string) {
	t.Helper()
	deadline := time.Now().Add(cmdTimeout)
	for {
		link, errLink := ip("netns", "exec", n.Name, "ip", "-o", "link", "show", "dev", nsLink)
		addr, errAddr := ip("netns", "exec", n.Name, "ip", "-o", "addr", "show", "dev", nsLink)
		up := errLink == nil && bytes.Contains(link, []byte("LOWER_UP")) && !bytes.Contains(link, []byte("NO-CARRIER"))
		if up && errAddr == nil && !bytes.Contains(addr, []byte("tentative")) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("netns: %s did not settle within %s: %s %s", nsLink, cmdTimeout, link, addr)
		}
		time.Sleep(20 * time.Millisecond) // polling the kernel's state, not waiting for luck
	}
}

// Command runs name with args inside the namespace.
func (n *Namespace) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", n.Name, name}, args...)...) //nolint:gosec // a test's own command
}

// DropUDP makes the namespace drop every UDP datagram it would send or receive on its veth (loopback stays
// open), as a network that only lets TCP through does. UDPDropped counts what the rules dropped.
func (n *Namespace) DropUDP(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("nft"); err != nil {
		skipOrFail(t, "nft not found (apt-get install -y nftables)")
	}
	rules := `table inet sfutest {
  chain out { type filter hook output priority 0; policy accept; oifname "lo" accept; meta l4proto udp counter drop; }
  chain in { type filter hook input priority 0; policy accept; iifname "lo" accept; meta l4proto udp counter drop; }
}
`
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := n.Command(ctx, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("netns: nft in %s: %v: %s", n.Name, err, out)
	}
}

// UDPDropped is how many UDP packets DropUDP's rules dropped so far (both directions).
func (n *Namespace) UDPDropped(t testing.TB) int {
	t.Helper()
	return n.counted(t, "sfutest")
}

// counted sums the packet counters of one of our nft tables in the namespace.
func (n *Namespace) counted(t testing.TB, table string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	out, err := n.Command(ctx, "nft", "list", "table", "inet", table).CombinedOutput()
	if err != nil {
		t.Fatalf("netns: nft list in %s: %v: %s", n.Name, err, out)
	}
	total := 0
	for _, f := range strings.Split(string(out), "counter packets ")[1:] {
		var p int
		if _, err := fmt.Sscanf(f, "%d", &p); err == nil {
			total += p
		}
	}
	return total
}

// remove deletes the namespace (and with it its end of the veth pair and its rules) and the host's end.
func (n *Namespace) remove(t testing.TB) {
	var problems []string
	if out, err := ip("netns", "del", n.Name); err != nil && !bytes.Contains(out, []byte("No such file")) {
		problems = append(problems, fmt.Sprintf("ip netns del %s: %v: %s", n.Name, err, out))
	}
	// Deleting the namespace deletes the pair, but not always before this runs: delete the host end if it is still
	// there.
	if _, err := net.InterfaceByName(n.hostLink); err == nil {
		if out, err := ip("link", "del", n.hostLink); err != nil && !bytes.Contains(out, []byte("Cannot find device")) {
			problems = append(problems, fmt.Sprintf("ip link del %s: %v: %s", n.hostLink, err, out))
		}
	}
	if len(problems) > 0 {
		t.Errorf("netns cleanup: %s", strings.Join(problems, "; "))
	}
}

// Exists reports whether a namespace of this name is present (for tests of the cleanup).
func Exists(name string) bool {
	_, err := os.Stat("/var/run/netns/" + name)
	return err == nil
}

func available() error {
	if runtime.GOOS != "linux" {
		return fmt.Errorf("network namespaces need Linux, not %s", runtime.GOOS)
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return fmt.Errorf("ip not found (apt-get install -y iproute2)")
	}
	return nil
}

func ip(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	return exec.CommandContext(ctx, "ip", args...).CombinedOutput() //nolint:gosec // fixed program, test's arguments
}

// freeSubnet draws a /30 in 10.64.0.0/10 that no interface of the host's namespace overlaps.
func freeSubnet() (host, ns netip.Addr, err error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return host, ns, fmt.Errorf("interface addresses: %w", err)
	}
	for range 32 {
		var b [3]byte
		if _, err := rand.Read(b[:]); err != nil {
			return host, ns, fmt.Errorf("random: %w", err)
		}
		base := netip.AddrFrom4([4]byte{10, 64 | b[0]&63, b[1], b[2] &^ 3})
		prefix := netip.PrefixFrom(base, 30)
		if !overlaps(prefix, addrs) {
			return base.Next(), base.Next().Next(), nil
		}
	}
	return host, ns, fmt.Errorf("no free /30 in 10.64.0.0/10")
}

func overlaps(p netip.Prefix, addrs []net.Addr) bool {
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		other, err := netip.ParsePrefix(ipn.String())
		if err == nil && other.Overlaps(p) {
			return true
		}
	}
	return false
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("netns: random: %v", err)
	}
	return hex.EncodeToString(b)
}

func skipOrFail(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("REQUIRE_NETNS") == "1" {
		t.Fatalf("netns: %s (REQUIRE_NETNS=1)", why)
	}
	t.Skipf("netns: %s; set REQUIRE_NETNS=1 to fail instead", why)
}
