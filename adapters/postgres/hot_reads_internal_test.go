package postgres

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNumberPlaceholders(t *testing.T) {
	cases := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"WHERE id = ?", "WHERE id = $1"},
		{"kind = ? WHERE r.id = ? LIMIT ? OFFSET ?", "kind = $1 WHERE r.id = $2 LIMIT $3 OFFSET $4"},
		{"?", "$1"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			require.Equal(t, c.want, numberPlaceholders(c.in))
		})
	}
}
