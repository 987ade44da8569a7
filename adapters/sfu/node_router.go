package sfu

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// CreateRouter creates a router with the node's media codecs. A duplicate id is domain.ErrConflict.
func (n *Node) CreateRouter(ctx context.Context, routerID string) (application.RouterInfo, error) {
	if err := requireID(ctx, "routerId", routerID); err != nil {
		return application.RouterInfo{}, err
	}
	caps, err := ortc.GenerateRouterRtpCapabilities(n.mediaCodecs)
	if err != nil {
		return application.RouterInfo{}, fmt.Errorf("sfu: router capabilities: %w", err)
	}
	if err := n.lockOpen(); err != nil {
		return application.RouterInfo{}, err
	}
	defer n.mu.Unlock()
	if _, exists := n.routers[routerID]; exists {
		return application.RouterInfo{}, fmt.Errorf("%w: router %s already exists", domain.ErrConflict, routerID)
	}
	n.routers[routerID] = &router{
		id: routerID, caps: caps, transports: map[string]*webrtcTransport{}, pipes: map[string]*pipeTransport{},
		producers: map[string]*producer{},
	}
	// The answer gets its own copy: the router's stays private.
	answer, _ := ortc.GenerateRouterRtpCapabilities(n.mediaCodecs)
	return application.RouterInfo{ID: routerID, RtpCapabilities: answer}, nil
}

// CloseRouter closes a router with everything on it. An unknown id is not an error.
// Ping implements application.SFUNode: a node in this process always answers.
func (n *Node) Ping(context.Context) error { return nil }

func (n *Node) CloseRouter(ctx context.Context, routerID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return nil //nolint:nilerr // a closed node has closed the router already
	}
	var later deferred
	if r, ok := n.routers[routerID]; ok {
		n.closeRouterLocked(r, &later)
	}
	n.mu.Unlock()
	later.run()
	return nil
}

// requireID checks ctx and that a master-chosen id is present.
func requireID(ctx context.Context, field, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if id == "" {
		return fmt.Errorf("%w: %s is required", domain.ErrInvalidInput, field)
	}
	return nil
}

// CloseAllRouters closes every router with everything in it, keeping the node running. A slave calls it when the
// master has forgotten it (reaped during a network split): the master already removed the rows of these objects
// and their clients were told so, so nothing may keep them alive.
func (n *Node) CloseAllRouters(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return nil //nolint:nilerr // a closed node has closed its routers already
	}
	var later deferred
	for _, r := range n.routers {
		n.closeRouterLocked(r, &later)
	}
	n.mu.Unlock()
	later.run()
	return nil
}
