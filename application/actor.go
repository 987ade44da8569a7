package application

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Actor is who calls the public API, when client authentication is on (API_TOKEN_SECRET): the user a token names
// and, optionally, the one room it is good for. Without an actor in the context every call is allowed, as in the
// original.
type Actor struct {
	UserID string
	RoomID string // "" allows every room
	// Admin may delete any room (the token's admin claim).
	Admin bool
}

type actorKey struct{}

// WithActor returns ctx carrying the authenticated caller.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the caller, if the edge authenticated one.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// authorize checks that the caller may act as userID in roomID ("" skips that check).
func authorize(ctx context.Context, userID, roomID string) error {
	a, ok := ActorFrom(ctx)
	if !ok {
		return nil
	}
	if userID != "" && a.UserID != userID {
		return fmt.Errorf("%w: the token is for user %q, not %q", domain.ErrForbidden, a.UserID, userID)
	}
	if roomID != "" && a.RoomID != "" && a.RoomID != roomID {
		return fmt.Errorf("%w: the token is not valid for room %s", domain.ErrForbidden, roomID)
	}
	return nil
}

// authorizePeer checks that the caller owns a peer.
func authorizePeer(ctx context.Context, p domain.Peer) error {
	return authorize(ctx, p.UserID, p.RoomID)
}

// authorizeRoomDelete checks that the caller may delete room: with client tokens on, only its owner or an admin
// may (a room created without tokens has no owner: admins only). Without an actor every call is allowed.
func authorizeRoomDelete(ctx context.Context, room domain.Room) error {
	a, ok := ActorFrom(ctx)
	if !ok || a.Admin {
		return nil
	}
	if room.OwnerID == "" || a.UserID != room.OwnerID {
		return fmt.Errorf("%w: only the user who created room %s, or an admin, may delete it", domain.ErrForbidden, room.ID)
	}
	return nil
}
