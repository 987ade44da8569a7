package httpapi

import (
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// jwtClaims is TokenClaims as golang-jwt reads and writes it. exp and nbf stay whole int64 seconds (0 is absent)
// rather than jwt.NumericDate's float64, so that every time a token can carry keeps its exact value.
type jwtClaims struct {
	Subject   string           `json:"sub"`
	Room      string           `json:"room,omitempty"`
	Audience  jwt.ClaimStrings `json:"aud,omitempty"`
	ExpiresAt int64            `json:"exp,omitempty"`
	NotBefore int64            `json:"nbf,omitempty"`
	Admin     bool             `json:"admin,omitempty"`
}

var _ jwt.Claims = jwtClaims{}

// maxTokenTime bounds exp and nbf: time.Time cannot hold seconds near the int64 limit. Clamping keeps the
// comparison right: 146 billion years from now is as far as any larger value.
const maxTokenTime = 1 << 62

func numericDate(sec int64) *jwt.NumericDate {
	if sec == 0 {
		return nil
	}
	return &jwt.NumericDate{Time: time.Unix(min(max(sec, -maxTokenTime), maxTokenTime), 0)}
}

func (c jwtClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return numericDate(c.ExpiresAt), nil
}
func (c jwtClaims) GetNotBefore() (*jwt.NumericDate, error) { return numericDate(c.NotBefore), nil }
func (c jwtClaims) GetIssuedAt() (*jwt.NumericDate, error)  { return nil, nil }
func (c jwtClaims) GetIssuer() (string, error)              { return "", nil }
func (c jwtClaims) GetSubject() (string, error)             { return c.Subject, nil }
func (c jwtClaims) GetAudience() (jwt.ClaimStrings, error)  { return c.Audience, nil }
