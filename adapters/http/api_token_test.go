package httpapi_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

var (
	tokenSecret = []byte("token-test-secret")
	tokenNow    = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
)

// rawToken signs header.claims with HMAC-SHA256 and the secret whatever the header says: what an attacker who
// swaps the alg of a token hopes the server will accept.
func rawToken(t *testing.T, header string, claims any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	unsigned := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, tokenSecret)
	mac.Write([]byte(unsigned))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func signed(t *testing.T, c httpapi.TokenClaims) string {
	t.Helper()
	tok, err := httpapi.SignToken(tokenSecret, c)
	require.NoError(t, err)
	return tok
}

func TestVerifyTokenAccepts(t *testing.T) {
	leeway := httpapi.TokenLeeway
	tests := []struct {
		name     string
		audience string
		token    string
		want     httpapi.TokenClaims
	}{
		{"user only", "", signed(t, httpapi.TokenClaims{Subject: "alice"}), httpapi.TokenClaims{Subject: "alice"}},
		{"room and bounds", "", signed(t, httpapi.TokenClaims{Subject: "alice", Room: "r1", ExpiresAt: tokenNow.Unix() + 60, NotBefore: tokenNow.Unix() - 60}),
			httpapi.TokenClaims{Subject: "alice", Room: "r1", ExpiresAt: tokenNow.Unix() + 60, NotBefore: tokenNow.Unix() - 60}},
		{"expired within the leeway", "", signed(t, httpapi.TokenClaims{Subject: "alice", ExpiresAt: tokenNow.Add(-leeway + time.Second).Unix()}),
			httpapi.TokenClaims{Subject: "alice", ExpiresAt: tokenNow.Add(-leeway + time.Second).Unix()}},
		{"not before, within the leeway", "", signed(t, httpapi.TokenClaims{Subject: "alice", NotBefore: tokenNow.Add(leeway).Unix()}),
			httpapi.TokenClaims{Subject: "alice", NotBefore: tokenNow.Add(leeway).Unix()}},
		{"audience", "sfu", signed(t, httpapi.TokenClaims{Subject: "alice", Audience: "sfu"}), httpapi.TokenClaims{Subject: "alice", Audience: "sfu"}},
		{"audience among several", "sfu", rawToken(t, `{"alg":"HS256","typ":"JWT"}`, map[string]any{"sub": "alice", "aud": []string{"other", "sfu"}}),
			httpapi.TokenClaims{Subject: "alice", Audience: "sfu"}},
		{"audience not configured", "", signed(t, httpapi.TokenClaims{Subject: "alice", Audience: "anything"}),
			httpapi.TokenClaims{Subject: "alice", Audience: "anything"}},
		{"far future expiry", "", signed(t, httpapi.TokenClaims{Subject: "alice", ExpiresAt: 1<<63 - 1}),
			httpapi.TokenClaims{Subject: "alice", ExpiresAt: 1<<63 - 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := httpapi.TokenVerifier{Secret: tokenSecret, Audience: tt.audience}.Verify(tt.token, tokenNow)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// The attacks a verifier must refuse, each with the reason the client is told.
func TestVerifyTokenRefuses(t *testing.T) {
	good := signed(t, httpapi.TokenClaims{Subject: "alice"})
	claims := map[string]any{"sub": "alice"}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims(claims)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	hs512, err := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims(claims)).SignedString(tokenSecret)
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	rs256, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims)).SignedString(rsaKey)
	require.NoError(t, err)
	dot := strings.LastIndexByte(good, '.')
	flipped := good[:dot+1] + string(rune(good[dot+1]^1)) + good[dot+2:]
	parts := strings.Split(good, ".")
	otherPayload := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"mallory"}`))

	tests := []struct {
		name, audience, token, why string
	}{
		{"alg none", "", none, "only HS256"},
		{"alg none, signature of HS256 kept", "", strings.Join([]string{strings.Split(none, ".")[0], parts[1], parts[2]}, "."), "only HS256"},
		{"alg swapped to RS256, HMAC-signed with the secret", "", rawToken(t, `{"alg":"RS256","typ":"JWT"}`, claims), "only HS256"},
		{"RS256 signed with a private key", "", rs256, "only HS256"},
		{"alg swapped to HS512, signed with the secret", "", hs512, "only HS256"},
		{"alg hs256 in lower case", "", rawToken(t, `{"alg":"hs256","typ":"JWT"}`, claims), "only HS256"},
		{"unknown alg", "", rawToken(t, `{"alg":"XYZ"}`, claims), "only HS256"},
		{"no alg", "", rawToken(t, `{"typ":"JWT"}`, claims), "only HS256"},
		{"tampered signature", "", flipped, "bad token signature"},
		{"signature cut off", "", good[:dot+1], "bad token signature"},
		{"tampered claims", "", parts[0] + "." + otherPayload + "." + parts[2], "bad token signature"},
		{"other secret", "", mustSign(t, []byte("other-secret"), httpapi.TokenClaims{Subject: "alice"}), "bad token signature"},
		{"expired", "", signed(t, httpapi.TokenClaims{Subject: "alice", ExpiresAt: tokenNow.Add(-httpapi.TokenLeeway).Unix()}), "expired"},
		{"expired long ago", "", signed(t, httpapi.TokenClaims{Subject: "alice", ExpiresAt: 1}), "expired"},
		{"not yet valid", "", signed(t, httpapi.TokenClaims{Subject: "alice", NotBefore: tokenNow.Add(httpapi.TokenLeeway + time.Second).Unix()}), "not valid yet"},
		{"wrong audience", "sfu", signed(t, httpapi.TokenClaims{Subject: "alice", Audience: "other"}), "audience"},
		{"no audience when one is required", "sfu", good, "audience"},
		{"no user", "", signed(t, httpapi.TokenClaims{Room: "r1"}), "no user"},
		{"exp as text", "", rawToken(t, `{"alg":"HS256"}`, map[string]any{"sub": "alice", "exp": "soon"}), "malformed"},
		{"two segments", "", parts[0] + "." + parts[1], "malformed"},
		{"not base64", "", "###." + parts[1] + "." + parts[2], "malformed"},
		{"empty", "", "", "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := httpapi.TokenVerifier{Secret: tokenSecret, Audience: tt.audience}.Verify(tt.token, tokenNow)
			require.ErrorIs(t, err, domain.ErrUnauthorized)
			require.ErrorContains(t, err, tt.why)
		})
	}
}

func mustSign(t *testing.T, secret []byte, c httpapi.TokenClaims) string {
	t.Helper()
	tok, err := httpapi.SignToken(secret, c)
	require.NoError(t, err)
	return tok
}
