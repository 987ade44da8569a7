package sfu

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"
)

// TestNodeSeveralListenAddresses: a transport offers a UDP and a TCP candidate per listen address, IPv4 and IPv6,
// in the order configured (the first preferred), and they pass the master's validation; ICE-TCP can be turned off.
func TestNodeSeveralListenAddresses(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		tcpPort int
		want    []string
	}{
		"with ICE-TCP": {0, []string{"udp 127.0.0.1", "tcp 127.0.0.1", "udp ::1", "tcp ::1"}},
		"ICE-TCP off":  {TCPDisabled, []string{"udp 127.0.0.1", "udp ::1"}},
	} {
		t.Run(name, func(t *testing.T) {
			n, err := NewNode(NodeConfig{ListenIP: "127.0.0.1", TCPPort: tc.tcpPort,
				WebRtcListen: []webrtctransport.ListenAddr{{IP: "127.0.0.1"}, {IP: "::1"}}})
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, n.Close()) })
			_, err = n.CreateRouter(ctx, "r1")
			require.NoError(t, err)
			info, err := n.CreateWebRtcTransport(ctx, "r1", "t1")
			require.NoError(t, err)
			require.NoError(t, info.Validate())
			var got []string
			last := map[string]uint32{}
			for _, c := range info.IceCandidates {
				got = append(got, c.Protocol+" "+c.IP)
				if p, seen := last[c.Protocol]; seen {
					require.Less(t, c.Priority, p, "a later address is less preferred")
				}
				last[c.Protocol] = c.Priority
			}
			for _, c := range info.IceCandidates {
				if c.Protocol == "tcp" {
					require.Less(t, c.Priority, last["udp"], "every UDP candidate is preferred to every TCP one")
				}
			}
			require.Equal(t, tc.want, got)
		})
	}
}
