package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// decodeBody parses a JSON body into dst. An empty body decodes as {} (several routes take optional fields);
// malformed JSON or a field of the wrong type is a domain.ErrInvalidInput naming the field.
func decodeBody(c *fiber.Ctx, dst any) error {
	body := bytes.TrimSpace(c.Body())
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return fmt.Errorf("%w: the body must be a JSON object", domain.ErrInvalidInput)
	}
	if err := json.Unmarshal(body, dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fmt.Errorf("%w: field %q must be of type %s, got %s", domain.ErrInvalidInput, typeErr.Field, typeErr.Type, typeErr.Value)
		}
		return fmt.Errorf("%w: malformed JSON: %s", domain.ErrInvalidInput, err.Error())
	}
	return nil
}

// bodyOrQuery is a string field of the body, or the query parameter of that name when the body has none: the
// original's server read its fields from the path, the query and the body alike (POST /user/u1/logout?roomId=r1
// was a logout from r1), so its clients may send them either way. The path still wins over both.
func bodyOrQuery(c *fiber.Ctx, name, fromBody string) string {
	if fromBody != "" {
		return fromBody
	}
	return c.Query(name)
}

// queryInt reads an optional positive integer query parameter.
func queryInt(c *fiber.Ctx, name string) (int, error) {
	raw := c.Query(name)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("%w: query %s must be an integer, got %q", domain.ErrInvalidInput, name, raw)
	}
	return n, nil
}

// empty is the {} answer of commands.
var empty = fiber.Map{}
