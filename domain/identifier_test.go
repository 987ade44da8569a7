package domain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestValidateIdentifier(t *testing.T) {
	for _, tc := range []struct {
		name, id string
		ok       bool
	}{
		{"uuid", "8445d9b1-9cf5-4095-9850-e2e90f099647", true},
		{"unicode and a space", "Zoë Ångström", true},
		{"128 bytes", strings.Repeat("a", domain.MaxIDLen), true},
		{"empty", "", false},
		{"129 bytes", strings.Repeat("a", domain.MaxIDLen+1), false},
		{"NUL", "a\x00b", false},
		{"tab", "a\tb", false},
		{"newline", "a\nb", false},
		{"DEL", "a\x7fb", false},
		{"C1 control", "a\u0085b", false},
		{"line separator", "a\u2028b", false},
		{"zero-width joiner", "a\u200db", false},
		{"invalid UTF-8", "a\xffb", false},
		{"a literal replacement character", "a\ufffdb", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := domain.ValidateIdentifier("userId", tc.id)
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, domain.ErrInvalidInput)
			}
		})
	}
}
