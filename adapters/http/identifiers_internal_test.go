package httpapi

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHasEscapedNUL(t *testing.T) {
	for body, want := range map[string]bool{
		`{"userId":"a\u0000b"}`:  true,
		`{"a":{"b":["\u0000"]}}`: true,
		`{"userId":"a\\\u0000"}`: true,  // an escaped backslash, then the NUL escape
		`{"userId":"a\\u0000"}`:  false, // a backslash and the text u0000
		`{"userId":"u0000"}`:     false,
		`{"userId":"a\u00001"}`:  true,
		`{"userId":"\u0001"}`:    false, // a control character, but not NUL: the identifier rule's business
		`{"kind":"audio"}`:       false,
	} {
		require.Equal(t, want, hasEscapedNUL([]byte(body)), body)
	}
}
