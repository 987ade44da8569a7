package browser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// docs/OPERATIONS.md shows the multi-host example as TestMultiHostDeployment runs it: every .env file of
// deploy/multihost in full, and every host with the addresses the test gives it.
func TestOperationsDocShowsTheMultiHostExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "OPERATIONS.md"))
	require.NoError(t, err)
	files, err := filepath.Glob(filepath.Join("..", "..", "deploy", "multihost", "*.env"))
	require.NoError(t, err)
	require.Len(t, files, 4)
	for _, f := range files {
		content, err := os.ReadFile(f)
		require.NoError(t, err)
		name := filepath.Base(f)
		want := "`deploy/multihost/" + name + "`:\n\n```ini\n" + string(content) + "```\n"
		require.Contains(t, string(doc), want, "docs/OPERATIONS.md must show %s as it is", name)
	}
	for _, h := range exampleHosts {
		if h.name == "publisher" || h.name == "viewer" {
			continue // clients, anywhere
		}
		row := "| " + h.name + " | " + orDash(h.public) + " | " + orDash(h.private) + " |"
		require.Contains(t, string(doc), row, "the example's host table")
		if h.env != "" {
			require.True(t, strings.Contains(string(doc), "with `"+h.env+"`"), "%s runs with %s", h.name, h.env)
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
