package httpapi

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// idQueryKeys are the query parameters that carry one identifier (the original's clients may send body fields in
// the query string); "producers" carries a comma-separated list of them.
var idQueryKeys = map[string]bool{"userId": true, "roomId": true, "producerId": true, "consumerId": true}

// checkIdentifiers applies domain.ValidateIdentifier to every path segment (as sent and percent-decoded: ids are
// path parameters) and the id query parameters, domain.ValidateText to every other query parameter, and
// checkBodyText to every JSON body, before any route runs: a NUL or another control character in an id is a 400,
// never a store error.
func checkIdentifiers() fiber.Handler {
	return func(c *fiber.Ctx) error {
		// fasthttp makes the path of a request line with a raw control byte empty: look at the line as sent.
		if err := domain.ValidateText("the request target", c.OriginalURL()); err != nil {
			return err
		}
		for _, seg := range strings.Split(c.Path(), "/") {
			if seg == "" {
				continue
			}
			if err := domain.ValidateIdentifier("a path segment", seg); err != nil {
				return err
			}
			if dec, err := url.PathUnescape(seg); err != nil {
				return fmt.Errorf("%w: a path segment has a malformed escape", domain.ErrInvalidInput)
			} else if err := domain.ValidateIdentifier("a path segment", dec); err != nil {
				return err
			}
		}
		var bad error
		c.Context().QueryArgs().VisitAll(func(k, v []byte) {
			if bad != nil {
				return
			}
			key := string(k)
			if bad = domain.ValidateText("a query parameter name", key); bad != nil {
				return
			}
			switch {
			case idQueryKeys[key] && len(v) > 0:
				bad = domain.ValidateIdentifier(key, string(v))
			case key == "producers":
				for _, id := range strings.Split(string(v), ",") {
					if id = strings.TrimSpace(id); id != "" && bad == nil {
						bad = domain.ValidateIdentifier("producers", id)
					}
				}
			default:
				bad = domain.ValidateText(key, string(v))
			}
		})
		if bad != nil {
			return bad
		}
		// Every JSON body, whether or not its route reads it (a route that ignores it today may store it tomorrow).
		if body := bytes.TrimSpace(c.Body()); len(body) > 0 && (body[0] == '{' || body[0] == '[') {
			if err := checkBodyText(body); err != nil {
				return err
			}
		}
		return c.Next()
	}
}

// checkBodyText refuses a JSON body with a NUL anywhere in a string (PostgreSQL refuses it in text and jsonb), and
// applies the identifier rule to the top-level string fields named *Id (userId, roomId, producerId, consumerId);
// an empty one means "absent" and is left to the use case.
func checkBodyText(body []byte) error {
	if hasEscapedNUL(body) {
		return fmt.Errorf("%w: the body contains a NUL character (\\u0000)", domain.ErrInvalidInput)
	}
	return topLevelIDs(body, domain.ValidateIdentifier)
}

// hasEscapedNUL reports whether a JSON text holds the escape \u0000 (a raw NUL is not valid JSON at all): a
// backslash that is itself escaped (\\u0000) is not one.
func hasEscapedNUL(b []byte) bool {
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte(`u0000`))
		if j < 0 {
			return false
		}
		at := i + j
		slashes := 0
		for k := at - 1; k >= 0 && b[k] == '\\'; k-- {
			slashes++
		}
		if slashes%2 == 1 {
			return true
		}
		i = at + 1
	}
}
