package httpapi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// sseKeepAlive is how often an idle event stream sends a comment, so proxies keep it open and a gone client is
// noticed.
const sseKeepAlive = 15 * time.Second

// roomEvents streams a room's events as server-sent events: `id: <seq>`, `event: <type>` and `data: <json>` per
// event. A client that reconnects with Last-Event-ID (or ?lastEventId=) first gets the kept events after that id,
// then live ones; an event in both is sent once. The stream ends when the client leaves, the room is deleted, or
// the server shuts down.
func (h masterHandlers) roomEvents(c *fiber.Ctx) error {
	if h.uc.Events == nil {
		return fiber.ErrNotFound
	}
	roomID := c.Params("roomId")
	after, resume, err := lastEventID(c)
	if err != nil {
		return err
	}
	if _, err := h.uc.Rooms.Get(c.UserContext(), roomID); err != nil {
		return err
	}
	// Subscribe before reading what was kept, so nothing falls between; replayed drops the overlap.
	events, cancel := h.uc.Events.Subscribe(roomID)
	var missed []application.RoomEvent
	if resume {
		if missed, err = h.uc.Events.Replay(c.UserContext(), roomID, after); err != nil {
			cancel()
			return err
		}
	}
	replayed := make(map[int64]struct{}, len(missed))
	for _, e := range missed {
		replayed[e.Seq] = struct{}{}
	}
	// The server's write timeout covers a whole response, which would end the stream: each write gets its own.
	conn, writeTimeout := c.Context().Conn(), h.streamWriteTimeout
	c.Set("Content-Type", "text/event-stream")
	c.Set("Cache-Control", "no-cache")
	c.Set("Connection", "keep-alive")
	c.Set("X-Accel-Buffering", "no")
	c.Context().SetBodyStreamWriter(fasthttp.StreamWriter(func(w *bufio.Writer) {
		defer cancel()
		tick := time.NewTicker(sseKeepAlive)
		defer tick.Stop()
		extend := func() {
			if conn != nil && writeTimeout > 0 {
				_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
			}
		}
		extend()
		if _, err := fmt.Fprint(w, ": connected\n\n"); err != nil {
			return
		}
		for _, e := range missed {
			if writeEvent(w, e) != nil {
				return
			}
		}
		if w.Flush() != nil {
			return
		}
		for {
			select {
			case e, ok := <-events:
				if !ok {
					return
				}
				if _, dup := replayed[e.Seq]; dup && e.Seq != 0 {
					continue
				}
				extend()
				if writeEvent(w, e) != nil {
					return
				}
			case <-tick.C:
				extend()
				if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
					return
				}
			}
			if err := w.Flush(); err != nil {
				return
			}
		}
	}))
	return nil
}

// writeEvent writes one event in the SSE format, with its sequence id as the event id when it has one.
func writeEvent(w *bufio.Writer, e application.RoomEvent) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode room event: %w", err)
	}
	if e.Seq != 0 {
		if _, err := fmt.Fprintf(w, "id: %d\n", e.Seq); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Type, data)
	return err
}
