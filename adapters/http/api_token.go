package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TokenClaims are what a client token says: the user (sub) and optionally the one room it is good for, with the
// usual time bounds. Tokens are JWTs signed with HS256 and API_TOKEN_SECRET by whatever issues them (the
// application the cluster serves); the cluster only verifies them.
type TokenClaims struct {
	Subject   string `json:"sub"`
	Room      string `json:"room,omitempty"`
	ExpiresAt int64  `json:"exp,omitempty"`
	NotBefore int64  `json:"nbf,omitempty"`
}

// requireAPIToken authenticates the public API with a bearer JWT and puts its user and room in the request's
// context (application.Actor); the use cases then refuse what the token does not allow (403).
func requireAPIToken(secret []byte, now func() time.Time) fiber.Handler {
	return func(c *fiber.Ctx) error {
		raw, ok := bearerToken(c.Get(fiber.HeaderAuthorization))
		if !ok {
			// Browsers cannot set headers on EventSource: the events stream also takes ?access_token=.
			raw = c.Query("access_token")
		}
		if raw == "" {
			return fmt.Errorf("%w: a bearer token is required", domain.ErrUnauthorized)
		}
		claims, err := VerifyToken(secret, raw, now())
		if err != nil {
			return err
		}
		c.SetUserContext(application.WithActor(c.UserContext(), application.Actor{UserID: claims.Subject, RoomID: claims.Room}))
		return c.Next()
	}
}

var jwtHeaderHS256 = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// VerifyToken checks an HS256 JWT's signature (in constant time) and time bounds and returns its claims.
func VerifyToken(secret []byte, token string, now time.Time) (TokenClaims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return TokenClaims{}, fmt.Errorf("%w: malformed token", domain.ErrUnauthorized)
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return TokenClaims{}, fmt.Errorf("%w: malformed token header", domain.ErrUnauthorized)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(header, &h) != nil || h.Alg != "HS256" {
		return TokenClaims{}, fmt.Errorf("%w: only HS256 tokens are accepted", domain.ErrUnauthorized)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return TokenClaims{}, fmt.Errorf("%w: malformed token signature", domain.ErrUnauthorized)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return TokenClaims{}, fmt.Errorf("%w: bad token signature", domain.ErrUnauthorized)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return TokenClaims{}, fmt.Errorf("%w: malformed token payload", domain.ErrUnauthorized)
	}
	var claims TokenClaims
	if err := json.Unmarshal(payload, &claims); err != nil {
		return TokenClaims{}, fmt.Errorf("%w: malformed token claims", domain.ErrUnauthorized)
	}
	if claims.Subject == "" {
		return TokenClaims{}, fmt.Errorf("%w: the token names no user (sub)", domain.ErrUnauthorized)
	}
	if claims.ExpiresAt != 0 && now.Unix() >= claims.ExpiresAt {
		return TokenClaims{}, fmt.Errorf("%w: the token has expired", domain.ErrUnauthorized)
	}
	if claims.NotBefore != 0 && now.Unix() < claims.NotBefore {
		return TokenClaims{}, fmt.Errorf("%w: the token is not valid yet", domain.ErrUnauthorized)
	}
	return claims, nil
}

// SignToken makes an HS256 JWT (for tests, tools and the dev setup; production tokens come from the app).
func SignToken(secret []byte, claims TokenClaims) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	unsigned := jwtHeaderHS256 + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(unsigned))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}
