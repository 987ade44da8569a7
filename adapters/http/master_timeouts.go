package httpapi

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// MasterTimeouts bound the time a client of the master may take (HTTP_*_TIMEOUT). A connection whose client
// misses one is closed; GuardListener counts it as a slow client.
type MasterTimeouts struct {
	// ReadHeader: from a request's first byte to the end of its header.
	ReadHeader time.Duration
	// Read: from the end of the header to the end of the body.
	Read time.Duration
	// Write: to write a response. An event stream is exempt: each of its writes (events and the keep-alive comment
	// every sseKeepAlive) gets this long instead.
	Write time.Duration
	// Idle: a keep-alive connection waiting for its next request.
	Idle time.Duration
}

// DefaultMasterTimeouts are the defaults of HTTP_READ_HEADER_TIMEOUT, HTTP_READ_TIMEOUT, HTTP_WRITE_TIMEOUT and
// HTTP_IDLE_TIMEOUT. Idle outlives the slaves' registry client pools (Go's default 90 s), so a slave never sends a
// heartbeat on a connection the master is closing.
var DefaultMasterTimeouts = MasterTimeouts{
	ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 30 * time.Second, Idle: 120 * time.Second,
}

func (t MasterTimeouts) withDefaults() MasterTimeouts {
	d := DefaultMasterTimeouts
	if t.ReadHeader <= 0 {
		t.ReadHeader = d.ReadHeader
	}
	if t.Read <= 0 {
		t.Read = d.Read
	}
	if t.Write <= 0 {
		t.Write = d.Write
	}
	if t.Idle <= 0 {
		t.Idle = d.Idle
	}
	return t
}

// apply gives each request's body its own read timeout once the header is in (fasthttp's ReadTimeout, set to
// ReadHeader, covers the header only).
func (t MasterTimeouts) apply(app *fiber.App) {
	app.Server().HeaderReceived = func(*fasthttp.RequestHeader) fasthttp.RequestConfig {
		return fasthttp.RequestConfig{ReadTimeout: t.Read}
	}
}
