package application

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// userId is optional where the original's server never needed it: peer creation (producer_peers,
// producer_transports, consumer_peers, consumer_transports) and consumer_routers. Its own demo joins with
// `POST /rooms/:roomId/consumer_routers` and the body {}. A given userId is checked (the identifier rule: ≤ 128 bytes of printable UTF-8) and, with client
// tokens on, must be the token's user.
//
// A peer always has a user, because logout, the token checks, the producer list and the room events name peers by
// it. When the request names none, the peer's user is:
//   - the token's user (sub), when client tokens are on: the token names the caller;
//   - else the peer's own id: an anonymous peer is a user of its own. `POST /user/<peerId>/logout` closes it (as
//     `DELETE /transports/:id` does), it is never grouped with another anonymous peer in the producer list or the
//     events, and it never shares a limit or a logout with anyone. (The original stored no user: its logout could
//     not reach such a transport at all.)
//
// A consumer router records no user: there userId only serves the token check, which an absent userId skips (the
// token's room claim still applies).

// checkOptionalUserID accepts an absent userId ("") and bounds a given one.
func checkOptionalUserID(userID string) error {
	if userID == "" {
		return nil
	}
	return domain.ValidateUserID(userID)
}

// peerUserID is the user a new peer is recorded under: userID when given, else the token's user, else the peer
// itself.
func peerUserID(ctx context.Context, userID, peerID string) string {
	if userID != "" {
		return userID
	}
	if a, ok := ActorFrom(ctx); ok {
		return a.UserID
	}
	return peerID
}
