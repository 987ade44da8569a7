package httpapi

import (
	"context"
	"net/url"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// MediaEvents posts a batch of the slave's observer events (audio volumes, active speaker, scores) to a master,
// which publishes them to the rooms' event streams.
func (r *RegistryClient) MediaEvents(ctx context.Context, id string, events []application.MediaEvent) error {
	return r.do(ctx, func(m *SlaveClient) error {
		return m.call(ctx, "POST", "/slaves/"+url.PathEscape(id)+"/media_events", mediaEventsBody{Events: events}, nil)
	})
}
