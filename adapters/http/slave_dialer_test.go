package httpapi

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestSlaveDialerCachesOneClientPerURL(t *testing.T) {
	d := NewSlaveDialer(SlaveClientOptions{Timeout: time.Second, Secret: "s"})
	a := d.Node(domain.Slave{ID: "s1", APIURL: "http://10.0.0.1:3011"})
	tests := []struct {
		name  string
		slave domain.Slave
		same  bool
	}{
		{"same URL", domain.Slave{ID: "s1", APIURL: "http://10.0.0.1:3011"}, true},
		{"same URL, trailing slash", domain.Slave{ID: "s1", APIURL: "http://10.0.0.1:3011/"}, true},
		{"same URL, another slave id (re-registered)", domain.Slave{ID: "s9", APIURL: "http://10.0.0.1:3011"}, true},
		{"another URL", domain.Slave{ID: "s2", APIURL: "http://10.0.0.2:3011"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := d.Node(tt.slave)
			if tt.same {
				require.Same(t, a, b)
			} else {
				require.NotSame(t, a, b)
			}
			// Every client shares the dialer's http.Client and options.
			bc, ok := b.(*SlaveClient)
			require.True(t, ok)
			require.Same(t, a.(*SlaveClient).http, bc.http)
			require.Equal(t, time.Second, bc.timeout)
			require.Equal(t, "s", bc.secret)
		})
	}
}

func TestSlaveDialerSharedTransport(t *testing.T) {
	d := NewSlaveDialer(SlaveClientOptions{})
	c, ok := d.Node(domain.Slave{APIURL: "http://10.0.0.1:3011"}).(*SlaveClient)
	require.True(t, ok)
	require.Equal(t, DefaultSlaveCallTimeout, c.timeout)
	tr, ok := c.http.Transport.(*http.Transport)
	require.True(t, ok)
	require.Equal(t, 64, tr.MaxIdleConnsPerHost)
	require.Nil(t, tr.Proxy, "slave calls never go through a proxy from the environment")
	require.Less(t, tr.IdleConnTimeout, slaveServerIdleTimeout, "the client drops idle connections before the slave does")
	require.NotNil(t, c.http.CheckRedirect)

	own := &http.Client{}
	c2, ok := NewSlaveDialer(SlaveClientOptions{HTTPClient: own}).Node(domain.Slave{APIURL: "http://x"}).(*SlaveClient)
	require.True(t, ok)
	require.Same(t, own, c2.http)
}

func TestSlaveDialerConcurrentNodes(t *testing.T) {
	d := NewSlaveDialer(SlaveClientOptions{})
	urls := []string{"http://10.0.0.1:3011", "http://10.0.0.2:3011", "http://10.0.0.3:3011"}
	got := make([][]*SlaveClient, 32)
	var wg sync.WaitGroup
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, u := range urls {
				got[g] = append(got[g], d.Node(domain.Slave{APIURL: u}).(*SlaveClient))
			}
			d.Forget("http://10.0.0.9:3011") // writes race with reads under -race if unguarded
		}()
	}
	wg.Wait()
	for g := range got {
		for i := range urls {
			require.Same(t, got[0][i], got[g][i])
		}
	}
}

func TestSlaveDialerForget(t *testing.T) {
	d := NewSlaveDialer(SlaveClientOptions{})
	s := domain.Slave{APIURL: "http://10.0.0.1:3011"}
	a := d.Node(s)
	d.Forget("http://10.0.0.1:3011/")
	require.NotSame(t, a, d.Node(s))
}

func TestSlaveDialerNodeTalksToTheSlave(t *testing.T) {
	node := newFakeNode()
	base := startSlaveServer(t, node, SlaveServerOptions{Secret: "k"})
	d := NewSlaveDialer(SlaveClientOptions{Secret: "k"})
	st, err := d.Node(domain.Slave{ID: "s1", APIURL: base}).Stats(t.Context())
	require.NoError(t, err)
	require.Equal(t, node.stats, st)
}
