package bootstrap

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVersionFlag(t *testing.T) {
	var out bytes.Buffer
	require.False(t, VersionRequested("master", nil, &out))
	require.False(t, VersionRequested("master", []string{"-v"}, &out))
	require.Empty(t, out.String())

	old, oldCommit := Version, Commit
	t.Cleanup(func() { Version, Commit = old, oldCommit })
	Version, Commit = "v1.2.3", "abc123"
	for _, arg := range []string{"-version", "--version"} {
		out.Reset()
		require.True(t, VersionRequested("master", []string{arg}, &out))
		require.Regexp(t, `^master v1\.2\.3 \(commit abc123, go1\.[0-9.]+\S*\)\n$`, out.String())
	}
}
