package netns

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// Several hosts (issue 22): a Host is a namespace linked to nothing but the LANs it is attached to, a LAN is a
// bridge in a namespace of its own. Neither touches the host's namespace, so a LAN can use fixed addresses (those
// of a documented example) without clashing with the machine's, or with another test's LAN of the same prefix.

// LAN is an Ethernet segment: a bridge in its own namespace, every attached host on a veth pair into it.
type LAN struct {
	ns     *Namespace
	Prefix netip.Prefix
	links  int
}

// NewLAN makes an empty segment for addresses of prefix, removed when t ends.
func NewLAN(t testing.TB, prefix netip.Prefix) *LAN {
	t.Helper()
	l := &LAN{ns: NewHost(t), Prefix: prefix.Masked()}
	for _, args := range [][]string{
		{"-n", l.ns.Name, "link", "add", "br0", "type", "bridge"},
		{"-n", l.ns.Name, "link", "set", "br0", "up"},
	} {
		if out, err := ip(args...); err != nil {
			t.Fatalf("netns: ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return l
}

// NewHost makes a namespace with only its loopback up (IPv6 off), removed when t ends; Attach links it to LANs.
// Its IP and HostIP are zero: nothing links it to the host's namespace.
func NewHost(t testing.TB) *Namespace {
	t.Helper()
	if err := available(); err != nil {
		skipOrFail(t, err.Error())
	}
	n := &Namespace{Name: "sfutest-" + randomHex(t, 4)}
	t.Cleanup(func() { n.remove(t) })
	if out, err := ip("netns", "add", n.Name); err != nil {
		skipOrFail(t, fmt.Sprintf("cannot create a network namespace: %v: %s", err, out))
	}
	for _, args := range [][]string{
		{"netns", "exec", n.Name, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && " +
			"echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6"},
		{"-n", n.Name, "link", "set", "lo", "up"},
	} {
		if out, err := ip(args...); err != nil {
			t.Fatalf("netns: ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return n
}

// Attach links host to the LAN with address addr (inside the LAN's prefix) on a new interface, and waits until the
// link is up. It returns the interface's name in host.
func (l *LAN) Attach(t testing.TB, host *Namespace, addr netip.Addr) string {
	t.Helper()
	if !l.Prefix.Contains(addr) {
		t.Fatalf("netns: %s is not in the LAN's %s", addr, l.Prefix)
	}
	l.links++
	port := fmt.Sprintf("p%d-%s", l.links, strings.TrimPrefix(host.Name, "sfutest-"))
	inHost := fmt.Sprintf("eth%d", countLinks(t, host))
	steps := [][]string{
		// Made in the LAN's namespace with its peer straight in host's: neither end ever sits in ours.
		{"-n", l.ns.Name, "link", "add", port, "type", "veth", "peer", "name", inHost, "netns", host.Name},
		{"-n", l.ns.Name, "link", "set", port, "master", "br0"},
		{"-n", l.ns.Name, "link", "set", port, "up"},
		{"-n", host.Name, "addr", "add", netip.PrefixFrom(addr, l.Prefix.Bits()).String(), "dev", inHost},
		{"-n", host.Name, "link", "set", inHost, "up"},
	}
	for _, args := range steps {
		if out, err := ip(args...); err != nil {
			t.Fatalf("netns: ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	host.waitSettled(t, inHost)
	return inHost
}

// countLinks is how many interfaces host has besides loopback (to name the next one ethN).
func countLinks(t testing.TB, host *Namespace) int {
	t.Helper()
	out, err := ip("-n", host.Name, "-o", "link", "show")
	if err != nil {
		t.Fatalf("netns: ip -n %s link show: %v: %s", host.Name, err, out)
	}
	return strings.Count(strings.TrimSpace(string(out)), "\n") // one line per link, lo included
}
