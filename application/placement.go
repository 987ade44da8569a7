package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// createRouterOnPick creates routerID on the least-loaded placeable slave of role. A slave that does not answer
// (domain.ErrSlaveUnreachable) is marked suspect, so the next pick passes it over, and the router is tried once
// more on that next pick: a slave that died a moment ago costs the caller one failed call, not a failed request.
func (d Deps) createRouterOnPick(ctx context.Context, role domain.SlaveRole, routerID string) (domain.Slave, SFUNode, RouterInfo, error) {
	var failed error
	for range 2 {
		slave, err := d.Slaves.PickSlave(ctx, role)
		if err != nil {
			if failed != nil {
				return domain.Slave{}, nil, RouterInfo{}, failed // no other slave to retry on: the failure is the answer
			}
			return domain.Slave{}, nil, RouterInfo{}, fmt.Errorf("pick %s slave: %w", role, err)
		}
		node := d.Nodes.Node(slave)
		info, err := node.CreateRouter(ctx, routerID)
		if err == nil {
			return slave, node, info, nil
		}
		failed = fmt.Errorf("create router on slave %s: %w", slave.ID, err)
		if !errors.Is(err, domain.ErrSlaveUnreachable) {
			return domain.Slave{}, nil, RouterInfo{}, failed
		}
		d.markSuspect(ctx, slave.ID, err)
	}
	return domain.Slave{}, nil, RouterInfo{}, failed
}

// reachable reports whether a slave answers its health check. One that does not is marked suspect.
// With Deps.CacheTTL set, an answer stands for healthTTL (health_memo.go).
func (d Deps) reachable(ctx context.Context, slave domain.Slave) bool {
	if d.health != nil && d.health.recent(slave.ID) {
		return true
	}
	err := d.Nodes.Node(slave).Ping(ctx)
	if err != nil && errors.Is(err, domain.ErrSlaveUnreachable) {
		d.markSuspect(ctx, slave.ID, err)
	}
	if d.health != nil {
		if err == nil {
			d.health.answered(slave.ID)
		} else {
			d.health.failed(slave.ID)
		}
	}
	return err == nil
}

// markSuspect records a slave that did not answer (the HTTP dialer does so too, for every call; a second mark
// changes nothing). A store failure here must not hide the call's own failure: it is only reported.
func (d Deps) markSuspect(ctx context.Context, slaveID string, cause error) {
	if _, err := d.Slaves.MarkSuspect(context.WithoutCancel(ctx), slaveID, d.Clock.Now()); err != nil {
		d.Warn(fmt.Sprintf("could not mark slave %s suspect after %v", slaveID, cause), err)
	}
}
