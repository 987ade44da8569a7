package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// MaxPageSize bounds GET /rooms?pageSize; MaxPage bounds ?page so the offset cannot overflow.
const (
	MaxPageSize = 100
	MaxPage     = 10_000_000
)

// RoomView is a room as the API shows it.
type RoomView struct {
	ID              string                 `json:"id"`
	RtpCapabilities domain.RtpCapabilities `json:"rtpCapabilities"`
}

// RoomListItem is a room as GET /rooms lists it: with when it was created and how many peers it has, so an app
// can show a room list.
type RoomListItem struct {
	ID              string                 `json:"id"`
	RtpCapabilities domain.RtpCapabilities `json:"rtpCapabilities"`
	CreatedAt       time.Time              `json:"createdAt"`
	// PeerCount is ProducerPeerCount + ConsumerPeerCount: transports, so a person who publishes and watches counts
	// twice.
	PeerCount         int `json:"peerCount"`
	ProducerPeerCount int `json:"producerPeerCount"`
	ConsumerPeerCount int `json:"consumerPeerCount"`
}

func listItem(r domain.Room, c PeerCounts) RoomListItem {
	return RoomListItem{ID: r.ID, RtpCapabilities: r.RtpCapabilities, CreatedAt: r.CreatedAt.UTC(),
		PeerCount: c.Producers + c.Consumers, ProducerPeerCount: c.Producers, ConsumerPeerCount: c.Consumers}
}

// RoomList is a page of rooms.
type RoomList struct {
	Items      []RoomListItem `json:"items"`
	Pagination Pagination     `json:"pagination"`
}

// Pagination echoes the page asked for and the total.
type Pagination struct {
	Page     int `json:"page"`
	PageSize int `json:"pageSize"`
	Total    int `json:"total"`
}

// Rooms creates, reads, lists and deletes rooms.
type Rooms struct{ d Deps }

// NewRooms builds the room use cases.
func NewRooms(d Deps) *Rooms { return &Rooms{d: d} }

// Create picks the least-loaded producer slave, creates the room's router there and records both. If the store
// write fails, the router is closed again.
func (u *Rooms) Create(ctx context.Context) (RoomView, error) {
	if a, ok := ActorFrom(ctx); ok && a.RoomID != "" {
		return RoomView{}, fmt.Errorf("%w: a token for one room cannot create rooms", domain.ErrForbidden)
	}
	roomID, routerID := u.d.IDs.NewID(), u.d.IDs.NewID()
	slave, node, info, err := u.d.createRouterOnPick(ctx, domain.SlaveRoleProducer, routerID)
	if err != nil {
		return RoomView{}, err
	}
	closeRouter := func(ctx context.Context) error { return node.CloseRouter(ctx, routerID) }
	now := u.d.Clock.Now()
	room, err := domain.NewRoom(roomID, slave.ID, routerID, now)
	if err != nil {
		return RoomView{}, undo(ctx, err, closeRouter)
	}
	if a, ok := ActorFrom(ctx); ok {
		room.OwnerID = a.UserID
	}
	router, err := domain.NewRouter(routerID, roomID, slave.ID, domain.SlaveRoleProducer, now)
	if err != nil {
		return RoomView{}, undo(ctx, err, closeRouter)
	}
	room.RtpCapabilities, router.RtpCapabilities = info.RtpCapabilities, info.RtpCapabilities
	err = u.d.Rooms.WithinTx(ctx, func(tx RoomRepo) error {
		if err := tx.CreateRoom(ctx, room); err != nil {
			return err
		}
		return tx.CreateRouter(ctx, router)
	})
	if err != nil {
		return RoomView{}, undo(ctx, fmt.Errorf("store room: %w", err), closeRouter)
	}
	return RoomView{ID: room.ID, RtpCapabilities: room.RtpCapabilities}, nil
}

// Summary is GET /rooms/:roomId: the room as GET /rooms lists it, with its creation time and peer counts (an app
// in the room polls it to show how many watch).
func (u *Rooms) Summary(ctx context.Context, id string) (RoomListItem, error) {
	if err := authorize(ctx, "", id); err != nil {
		return RoomListItem{}, err
	}
	room, err := u.d.Rooms.GetRoom(ctx, id)
	if err != nil {
		return RoomListItem{}, err
	}
	counts, err := u.d.Rooms.CountPeers(ctx, []string{id})
	if err != nil {
		return RoomListItem{}, err
	}
	return listItem(room, counts[id]), nil
}

// Get returns one room.
func (u *Rooms) Get(ctx context.Context, id string) (RoomView, error) {
	if err := authorize(ctx, "", id); err != nil {
		return RoomView{}, err
	}
	room, err := u.d.Rooms.GetRoom(ctx, id)
	if err != nil {
		return RoomView{}, err
	}
	return RoomView{ID: room.ID, RtpCapabilities: room.RtpCapabilities}, nil
}

// List returns a page of rooms; page and pageSize are validated (1-based page, 1..MaxPageSize). A caller whose
// token is for one room sees that room only (or nothing once it is gone): the list never reveals other rooms.
func (u *Rooms) List(ctx context.Context, p Page) (RoomList, error) {
	if p.Page == 0 {
		p.Page = 1
	}
	if p.PageSize == 0 {
		p.PageSize = 20
	}
	if p.Page < 1 || p.Page > MaxPage {
		return RoomList{}, fmt.Errorf("%w: page must be 1..%d", domain.ErrInvalidInput, MaxPage)
	}
	if p.PageSize < 1 || p.PageSize > MaxPageSize {
		return RoomList{}, fmt.Errorf("%w: pageSize must be 1..%d", domain.ErrInvalidInput, MaxPageSize)
	}
	if a, ok := ActorFrom(ctx); ok && a.RoomID != "" {
		return u.listOne(ctx, a.RoomID, p)
	}
	rooms, total, err := u.d.Rooms.ListRooms(ctx, p)
	if err != nil {
		return RoomList{}, err
	}
	ids := make([]string, len(rooms))
	for i, r := range rooms {
		ids[i] = r.ID
	}
	counts, err := u.d.Rooms.CountPeers(ctx, ids)
	if err != nil {
		return RoomList{}, err
	}
	out := RoomList{Items: make([]RoomListItem, 0, len(rooms)), Pagination: Pagination{Page: p.Page, PageSize: p.PageSize, Total: total}}
	for _, r := range rooms {
		out.Items = append(out.Items, listItem(r, counts[r.ID]))
	}
	return out, nil
}

// Delete removes an empty room and closes its routers (and their pipes) on every slave. A room with peers is a
// domain.ErrRoomNotEmpty (the seed's rule: "delete the room if no one is in the room").
func (u *Rooms) Delete(ctx context.Context, id string) error {
	if err := authorize(ctx, "", id); err != nil {
		return err
	}
	var routers []domain.Router
	var pipes []domain.Pipe
	err := u.d.Rooms.WithinTx(ctx, func(tx RoomRepo) error {
		room, err := tx.GetRoom(ctx, id)
		if err != nil {
			return err
		}
		if err := authorizeRoomDelete(ctx, room); err != nil {
			return err
		}
		peers, err := tx.ListPeers(ctx, PeerFilter{RoomID: id})
		if err != nil {
			return err
		}
		if len(peers) > 0 {
			return fmt.Errorf("%w: %d peers remain in room %s", domain.ErrRoomNotEmpty, len(peers), id)
		}
		if routers, err = tx.ListRouters(ctx, id); err != nil {
			return err
		}
		for _, r := range routers {
			ps, err := tx.ListPipes(ctx, r.ID)
			if err != nil {
				return err
			}
			pipes = append(pipes, ps...)
		}
		return tx.DeleteRoom(ctx, id)
	})
	if err != nil {
		return err
	}
	// The rows are gone; now free the media side. A slave failing here does not fail the request: the room is
	// deleted, and what the slave still holds dies with its own cleanup. It is reported through Warn.
	for _, p := range pipes {
		u.closePipeEnds(ctx, p, routers)
	}
	for _, r := range routers {
		u.d.closeOnSlave(ctx, r.SlaveID, "close router "+r.ID, func(ctx context.Context, n SFUNode) error {
			return n.CloseRouter(ctx, r.ID)
		})
	}
	u.d.Events.Publish(ctx, RoomEvent{Type: EventRoomDeleted, RoomID: id})
	return nil
}

// closePipeEnds closes both pipe transports of a pipe of the deleted room's routers.
func (u *Rooms) closePipeEnds(ctx context.Context, p domain.Pipe, routers []domain.Router) {
	slaveOf := map[string]string{}
	for _, r := range routers {
		slaveOf[r.ID] = r.SlaveID
	}
	for _, end := range []struct{ router, transport string }{{p.SourceRouterID, p.SourceTransportID}, {p.TargetRouterID, p.TargetTransportID}} {
		if end.transport == "" || slaveOf[end.router] == "" {
			continue
		}
		u.d.closeOnSlave(ctx, slaveOf[end.router], "close pipe transport "+end.transport, func(ctx context.Context, n SFUNode) error {
			return n.ClosePipeTransport(ctx, end.transport)
		})
	}
}

// listOne is List for a caller limited to one room: a one-room listing, paginated like any other.
func (u *Rooms) listOne(ctx context.Context, roomID string, p Page) (RoomList, error) {
	out := RoomList{Items: []RoomListItem{}, Pagination: Pagination{Page: p.Page, PageSize: p.PageSize}}
	room, err := u.d.Rooms.GetRoom(ctx, roomID)
	if errors.Is(err, domain.ErrRoomNotFound) {
		return out, nil
	}
	if err != nil {
		return RoomList{}, err
	}
	out.Pagination.Total = 1
	if p.Page == 1 {
		counts, err := u.d.Rooms.CountPeers(ctx, []string{room.ID})
		if err != nil {
			return RoomList{}, err
		}
		out.Items = append(out.Items, listItem(room, counts[room.ID]))
	}
	return out, nil
}
