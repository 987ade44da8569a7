package proccpu_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/proccpu"
)

func TestChildren(t *testing.T) {
	root := t.TempDir()
	for pid, stat := range map[string]string{
		"100": "100 (postgres) S 1 100 100 0 -1 4194560 0 0 0 0 5 7 0 0 20 0 1 0 1 0 0",
		"101": "101 (postgres: a b) S 100 100 100 0 -1 4194560 0 0 0 0 1 2 0 0 20 0 1 0 1 0 0",
		"102": "102 (weird ) name) R 100 100 100 0 -1 4194560 0 0 0 0 3 4 0 0 20 0 1 0 1 0 0",
		"200": "200 (other) S 1 200 200 0 -1 4194560 0 0 0 0 3 4 0 0 20 0 1 0 1 0 0",
	} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, pid), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, pid, "stat"), []byte(stat), 0o644))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(root, "net"), 0o755)) // not a pid: skipped
	got, err := proccpu.Children(root, 100)
	require.NoError(t, err)
	require.ElementsMatch(t, []int{101, 102}, got)
	ppid, ok := proccpu.StatParent([]byte("5 (x) S 4 5 5"))
	require.True(t, ok)
	require.Equal(t, 4, ppid)
	_, ok = proccpu.StatParent([]byte("garbage"))
	require.False(t, ok)
}
