package domain

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeAppData(t *testing.T) {
	for in, want := range map[string]string{
		"":                                 "{}",
		"null":                             "{}",
		" { \"source\" : \"screen\" } ":    `{"source":"screen"}`,
		`{"share":true,"n":1.5,"a":[1,2]}`: `{"share":true,"n":1.5,"a":[1,2]}`,
	} {
		got, err := NormalizeAppData(json.RawMessage(in))
		require.NoError(t, err, in)
		require.Equal(t, want, string(got), in)
	}
	for _, bad := range []string{`[]`, `"camera"`, `1`, `true`, `{"a":`, `{"a":1}x`, `{"big":"` + strings.Repeat("x", MaxAppDataLen) + `"}`} {
		_, err := NormalizeAppData(json.RawMessage(bad))
		require.ErrorIs(t, err, ErrInvalidInput, bad)
	}
}
