package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// RegistryClient is the slave's side of the master's registry routes (register, heartbeat, deregister, report a
// transport closed on the media side). With several master URLs it sticks to the one that answered last and moves
// to the next when a call fails for a transport reason; masters share one database, so any of them will do.
type RegistryClient struct {
	mu      sync.Mutex
	masters []*SlaveClient // the same JSON-over-HTTP caller the master uses for slaves
	current int
}

// NewRegistryClient calls the masters at urls (at least one).
func NewRegistryClient(urls []string, opts SlaveClientOptions) (*RegistryClient, error) {
	if len(urls) == 0 {
		return nil, fmt.Errorf("%w: at least one master URL is required", domain.ErrInvalidInput)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = newSlaveHTTPClient(opts.TLS)
	}
	r := &RegistryClient{}
	for _, u := range urls {
		r.masters = append(r.masters, NewSlaveClient(u, opts))
	}
	return r, nil
}

// do runs fn on the current master, then on each other one while they fail to answer.
func (r *RegistryClient) do(ctx context.Context, fn func(m *SlaveClient) error) error {
	r.mu.Lock()
	start := r.current
	r.mu.Unlock()
	var err error
	for i := range r.masters {
		idx := (start + i) % len(r.masters)
		err = fn(r.masters[idx])
		if err == nil || !errors.Is(err, domain.ErrSlaveFailed) || ctx.Err() != nil {
			if err == nil {
				r.mu.Lock()
				r.current = idx
				r.mu.Unlock()
			}
			return err
		}
	}
	return err
}

// Register announces the slave; it returns the id the master gave it.
func (r *RegistryClient) Register(ctx context.Context, in application.RegisterInput) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := r.do(ctx, func(m *SlaveClient) error { return m.call(ctx, "POST", "/slaves", in, &out) })
	return out.ID, err
}

// Heartbeat reports the load; domain.ErrSlaveNotFound means the master forgot us (reaped): register again.
func (r *RegistryClient) Heartbeat(ctx context.Context, id string, load domain.SlaveLoad) error {
	return r.do(ctx, func(m *SlaveClient) error {
		return m.call(ctx, "POST", "/slaves/"+url.PathEscape(id)+"/heartbeat", load, nil)
	})
}

// Deregister removes the slave on graceful stop.
func (r *RegistryClient) Deregister(ctx context.Context, id string) error {
	return r.do(ctx, func(m *SlaveClient) error { return m.call(ctx, "DELETE", "/slaves/"+url.PathEscape(id), nil, nil) })
}

// TransportClosed reports a transport that died on the media side.
func (r *RegistryClient) TransportClosed(ctx context.Context, id, transportID string) error {
	return r.do(ctx, func(m *SlaveClient) error {
		return m.call(ctx, "POST", "/slaves/"+url.PathEscape(id)+"/transports/"+url.PathEscape(transportID)+"/closed", nil, nil)
	})
}
