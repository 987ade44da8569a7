package httpapi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// sseKeepAlive is how often an idle event stream sends a comment, so proxies keep it open and a gone client is
// noticed.
const sseKeepAlive = 15 * time.Second

// roomEvents streams a room's events as server-sent events: `event: <type>` and `data: <json>` per event. The
// stream ends when the client leaves, the room is deleted, or the server shuts down.
func (h masterHandlers) roomEvents(c *fiber.Ctx) error {
	if h.uc.Events == nil {
		return fiber.ErrNotFound
	}
	roomID := c.Params("roomId")
	if _, err := h.uc.Rooms.Get(c.UserContext(), roomID); err != nil {
		return err
	}
	events, cancel := h.uc.Events.Subscribe(roomID)
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
		if _, err := fmt.Fprint(w, ": connected\n\n"); err != nil || w.Flush() != nil {
			return
		}
		for {
			select {
			case e, ok := <-events:
				if !ok {
					return
				}
				extend()
				data, err := json.Marshal(e)
				if err != nil {
					return
				}
				if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Type, data); err != nil {
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
