package httpapi

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ParseTrustedProxies reads TRUSTED_PROXIES: IP addresses and CIDR prefixes of the reverse proxies (load
// balancers) in front of the master, comma-separated.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%w: %q is neither an IP address nor a CIDR prefix", domain.ErrInvalidInput, part)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// clientIP is the address of the client a request comes from. Behind trusted proxies it is the right-most
// X-Forwarded-For entry that is not a trusted proxy: each proxy appends the address it got the request from, so
// entries left of the first untrusted one are whatever the client chose to send and cannot be believed (Fiber's
// own c.IP() with ProxyHeader takes the left-most one).
func clientIP(c *fiber.Ctx, trusted []netip.Prefix) string {
	remote, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	remote = remote.Unmap()
	if len(trusted) == 0 || !isTrusted(remote, trusted) {
		return remote.String()
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: nothing left of it can be trusted
		}
		if a = a.Unmap(); !isTrusted(a, trusted) {
			return a.String()
		}
		remote = a
	}
	return remote.String() // every hop is a trusted proxy: the last one known is the best answer
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
