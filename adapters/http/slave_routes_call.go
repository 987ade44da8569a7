package httpapi

import (
	"context"

	"github.com/gofiber/fiber/v2"
)

// jsonCall is the shape of the internal API's handlers with a body: decode the JSON body into a Req, take the id
// from the path parameter idParam (none when ""), then call, which validates and calls the node once; its answer
// is the JSON response. Errors go to errorHandler, which owns the status mapping.
func jsonCall[Req, Resp any](idParam string, call func(ctx context.Context, id string, req *Req) (Resp, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req Req
		if err := decodeSlaveBody(c, &req); err != nil {
			return err
		}
		var id string
		if idParam != "" {
			var err error
			if id, err = slavePathID(c, idParam); err != nil {
				return err
			}
		}
		resp, err := call(c.UserContext(), id, &req)
		if err != nil {
			return err
		}
		return c.JSON(resp)
	}
}

// jsonDo is jsonCall for the calls that answer "{}".
func jsonDo[Req any](idParam string, call func(ctx context.Context, id string, req *Req) error) fiber.Handler {
	return jsonCall(idParam, func(ctx context.Context, id string, req *Req) (slaveEmpty, error) {
		return slaveEmpty{}, call(ctx, id, req)
	})
}
