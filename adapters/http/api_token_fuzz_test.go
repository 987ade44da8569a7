package httpapi_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// FuzzVerifyToken: any bearer token a client sends is rejected with domain.ErrUnauthorized or yields claims naming
// a user within their time bounds (give or take TokenLeeway); a token signed with the secret verifies to the claims it was made of, and a
// changed character of its signed part (header or claims) makes it fail.
func FuzzVerifyToken(f *testing.F) {
	secret := []byte("fuzz-secret")
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	good, err := httpapi.SignToken(secret, httpapi.TokenClaims{Subject: "alice", Room: "r1", ExpiresAt: now.Unix() + 60})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, "alice", "r1", int64(0), int64(0), uint16(0))
	f.Add("a.b.c", "", "", int64(-1), int64(1<<62), uint16(3))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "x", "", now.Unix(), now.Unix()+1, uint16(40))
	f.Add(strings.Repeat(".", 5), "\u0000", "\xff", int64(0), int64(0), uint16(7))
	f.Fuzz(func(t *testing.T, token, sub, room string, exp, nbf int64, flip uint16) {
		// Arbitrary tokens.
		if claims, err := httpapi.VerifyToken(secret, token, now); err != nil {
			if !errors.Is(err, domain.ErrUnauthorized) {
				t.Fatalf("rejection is not ErrUnauthorized: %v", err)
			}
		} else if claims.Subject == "" {
			t.Fatalf("accepted a token without a user: %q", token)
		}

		// Tokens this secret signed.
		in := httpapi.TokenClaims{Subject: sub, Room: room, ExpiresAt: exp, NotBefore: nbf}
		signed, err := httpapi.SignToken(secret, in)
		if err != nil {
			t.Fatal(err)
		}
		out, err := httpapi.VerifyToken(secret, signed, now)
		leeway := int64(httpapi.TokenLeeway / time.Second)
		valid := sub != "" && (exp == 0 || now.Unix()-leeway < exp) && (nbf == 0 || now.Unix()+leeway >= nbf)
		if valid != (err == nil) {
			t.Fatalf("claims %+v: verify gave %v", in, err)
		}
		// encoding/json replaces invalid UTF-8 with U+FFFD, so only valid-UTF-8 claims come back unchanged.
		if err == nil && strings.ToValidUTF8(sub, "\uFFFD") == sub && strings.ToValidUTF8(room, "\uFFFD") == room && out != in {
			t.Fatalf("signed %+v, verified %+v", in, out)
		}
		if _, err := httpapi.VerifyToken([]byte("other-secret"), signed, now); err == nil {
			t.Fatal("a token verified with another secret")
		}
		signedPart := strings.LastIndexByte(signed, '.')
		i := int(flip) % signedPart
		if signed[i] == '.' {
			return
		}
		tampered := signed[:i] + string(rune(signed[i]^1)) + signed[i+1:]
		if _, err := httpapi.VerifyToken(secret, tampered, now); err == nil {
			t.Fatalf("a token changed at byte %d of its signed part still verifies: %q", i, tampered)
		}
	})
}
