package httpapi

import (
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TokenClaims are what a client token says: the user (sub) and optionally the one room it is good for, the
// audience, and the usual time bounds (Unix seconds; 0 is absent). Tokens are JWTs signed with HS256 and
// API_TOKEN_SECRET by whatever issues them (the application the cluster serves); the cluster only verifies them.
type TokenClaims struct {
	Subject   string `json:"sub"`
	Room      string `json:"room,omitempty"`
	Audience  string `json:"aud,omitempty"`
	ExpiresAt int64  `json:"exp,omitempty"`
	NotBefore int64  `json:"nbf,omitempty"`
	// Admin lets the token delete any room (others may delete only the rooms their user created).
	Admin bool `json:"admin,omitempty"`
}

// TokenLeeway is the clock skew tolerated on exp and nbf: a token is taken until exp+TokenLeeway and from
// nbf-TokenLeeway.
const TokenLeeway = 30 * time.Second

// TokenVerifier checks client tokens: HS256 only (the header's alg is pinned, so alg "none" and a swapped
// algorithm are refused before any key is used), the signature in constant time (golang-jwt), exp and nbf with
// TokenLeeway, a user (sub), and the audience when one is set.
type TokenVerifier struct {
	Secret []byte
	// Audience, when set, must be one of the token's aud values (API_TOKEN_AUDIENCE).
	Audience string
}

// requireAPIToken authenticates the public API with a bearer JWT and puts its user and room in the request's
// context (application.Actor); the use cases then refuse what the token does not allow (403).
func requireAPIToken(v TokenVerifier, now func() time.Time) fiber.Handler {
	return func(c *fiber.Ctx) error {
		raw, ok := bearerToken(c.Get(fiber.HeaderAuthorization))
		if !ok {
			// Browsers cannot set headers on EventSource: the events stream also takes ?access_token=.
			raw = c.Query("access_token")
		}
		if raw == "" {
			return fmt.Errorf("%w: a bearer token is required", domain.ErrUnauthorized)
		}
		claims, err := v.Verify(raw, now())
		if err != nil {
			return err
		}
		c.SetUserContext(application.WithActor(c.UserContext(), application.Actor{UserID: claims.Subject, RoomID: claims.Room,
			Admin: claims.Admin}))
		return c.Next()
	}
}

// VerifyToken checks an HS256 JWT with no audience required (TokenVerifier.Verify).
func VerifyToken(secret []byte, token string, now time.Time) (TokenClaims, error) {
	return TokenVerifier{Secret: secret}.Verify(token, now)
}

// Verify checks token and returns its claims; every refusal wraps domain.ErrUnauthorized. The returned Audience
// is the token's aud when it names one, else the verifier's Audience (which it then lists).
func (v TokenVerifier) Verify(token string, now time.Time) (TokenClaims, error) {
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithLeeway(TokenLeeway),
		jwt.WithTimeFunc(func() time.Time { return now }),
	}
	if v.Audience != "" {
		opts = append(opts, jwt.WithAudience(v.Audience))
	}
	var claims jwtClaims
	parsed, err := jwt.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok { // WithValidMethods already refused it
			return nil, jwt.ErrTokenSignatureInvalid
		}
		return v.Secret, nil
	}, opts...)
	if err != nil {
		return TokenClaims{}, fmt.Errorf("%w: %s", domain.ErrUnauthorized, refusal(parsed, err))
	}
	if claims.Subject == "" {
		return TokenClaims{}, fmt.Errorf("%w: the token names no user (sub)", domain.ErrUnauthorized)
	}
	out := TokenClaims{Subject: claims.Subject, Room: claims.Room, ExpiresAt: claims.ExpiresAt, NotBefore: claims.NotBefore,
		Admin: claims.Admin}
	if len(claims.Audience) == 1 {
		out.Audience = claims.Audience[0]
	} else if len(claims.Audience) > 1 {
		out.Audience = v.Audience
	}
	return out, nil
}

// refusal says in words why golang-jwt refused a token (the client sees it in the 401's message).
func refusal(t *jwt.Token, err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenUnverifiable), t != nil && t.Method != nil && t.Method.Alg() != jwt.SigningMethodHS256.Alg():
		return "only HS256 tokens are accepted"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad token signature"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "the token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "the token is not valid yet"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "the token is not for this audience (aud)"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing): // aud, the only claim golang-jwt is told to require
		return "the token names no audience (aud)"
	default:
		return "malformed token"
	}
}

// SignToken makes an HS256 JWT (for tests, tools and the dev setup; production tokens come from the app).
func SignToken(secret []byte, claims TokenClaims) (string, error) {
	c := jwtClaims{Subject: claims.Subject, Room: claims.Room, ExpiresAt: claims.ExpiresAt, NotBefore: claims.NotBefore,
		Admin: claims.Admin}
	if claims.Audience != "" {
		c.Audience = jwt.ClaimStrings{claims.Audience}
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
}
