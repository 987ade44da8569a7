package bootstrap

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// settingNames are the environment variables the binaries read: every quoted NAME in config*.go and pprof.go, and
// the envOr("NAME", ...) reads of cmd/cluster.
func settingNames(t *testing.T) []string {
	t.Helper()
	set := map[string]bool{}
	quoted := regexp.MustCompile(`"([A-Z][A-Z0-9_]{2,})"`)
	files, err := filepath.Glob("config*.go")
	require.NoError(t, err)
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_test.go") })
	require.Contains(t, files, "config_slave.go")
	for _, file := range append(files, "pprof.go") {
		src, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, m := range quoted.FindAllStringSubmatch(string(src), -1) {
			set[m[1]] = true
		}
	}
	src, err := os.ReadFile(filepath.Join("..", "cmd", "cluster", "main.go"))
	require.NoError(t, err)
	for _, m := range regexp.MustCompile(`envOr\("([A-Z0-9_]+)"`).FindAllStringSubmatch(string(src), -1) {
		set[m[1]] = true
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Every setting a binary reads is in docs/OPERATIONS.md's table and in .env.example.
func TestEverySettingIsDocumented(t *testing.T) {
	names := settingNames(t)
	require.Contains(t, names, "CLUSTER_SECRET")
	require.Contains(t, names, "DEMO_ADDR")
	require.Contains(t, names, "PPROF_ADDR")
	require.Contains(t, names, "MIGRATE")
	ops, err := os.ReadFile(filepath.Join("..", "docs", "OPERATIONS.md"))
	require.NoError(t, err)
	example, err := os.ReadFile(filepath.Join("..", ".env.example"))
	require.NoError(t, err)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			require.Regexp(t, "(?m)^\\|[^|]*`"+n+"`", string(ops), "docs/OPERATIONS.md's settings table lacks %s", n)
			require.Regexp(t, `\b`+n+`\b`, string(example), ".env.example lacks %s", n)
		})
	}
}

// .env.example's CLUSTER_SECRET is a placeholder a master or slave refuses, so a copied .env cannot go live with it.
func TestEnvExampleSecretIsRefused(t *testing.T) {
	dot, err := readDotEnv(filepath.Join("..", ".env.example"))
	require.NoError(t, err)
	c, err := loadFrom(env{dotenv: dot}, defaultConfig(MasterPort))
	require.NoError(t, err)
	require.NotEmpty(t, c.ClusterSecret)
	require.ErrorContains(t, checkClusterSecret(c, "master"), "placeholder")
}
