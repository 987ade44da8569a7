package httpapi

import (
	"strings"
	"sync"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// SlaveDialer implements application.SFUNodes for the master: one SlaveClient per slave API URL, all sharing one
// http.Client so that connections to a slave are pooled across requests and use cases. Safe for concurrent use.
type SlaveDialer struct {
	opts SlaveClientOptions

	mu      sync.Mutex
	clients map[string]*SlaveClient // by API URL without trailing slash
}

var _ application.SFUNodes = (*SlaveDialer)(nil)

// NewSlaveDialer returns a dialer whose clients use opts (a shared pooled http.Client when opts.HTTPClient is nil).
func NewSlaveDialer(opts SlaveClientOptions) *SlaveDialer {
	if opts.HTTPClient == nil {
		opts.HTTPClient = newSlaveHTTPClient(opts.TLS)
	}
	return &SlaveDialer{opts: opts, clients: make(map[string]*SlaveClient)}
}

// Node returns the SFUNode of a slave, creating its client on first use.
func (d *SlaveDialer) Node(slave domain.Slave) application.SFUNode {
	key := strings.TrimRight(slave.APIURL, "/")
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.clients[key]
	if !ok {
		c = NewSlaveClient(key, d.opts)
		d.clients[key] = c
	}
	if id := c.slaveID.Load(); id == nil || *id != slave.ID {
		c.slaveID.Store(&slave.ID)
	}
	return c
}

// Forget drops the cached client of an API URL (a slave that died or deregistered), so the cache does not grow
// with every address slaves ever had. A later Node call for that URL makes a new client.
func (d *SlaveDialer) Forget(apiURL string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.clients, strings.TrimRight(apiURL, "/"))
}
