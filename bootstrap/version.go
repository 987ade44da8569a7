package bootstrap

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Version and Commit name the build. `make build` sets them at link time
// (-ldflags "-X github.com/sfu-cluster/sfu-cluster/bootstrap.Version=... -X ...Commit=..."); a plain `go build`
// leaves Version "dev" and takes Commit from the VCS stamp the go command embeds.
var (
	Version = "dev"
	Commit  = ""
)

// BuildInfo is the version, the commit (with "-dirty" when built from a modified tree and known only from the
// VCS stamp) and the Go version of this binary.
func BuildInfo() (version, commit, goVersion string) {
	commit = Commit
	if commit == "" {
		commit = "unknown"
		if info, ok := debug.ReadBuildInfo(); ok {
			var rev, modified string
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value
				}
			}
			if rev != "" {
				commit = rev
				if modified == "true" {
					commit += "-dirty"
				}
			}
		}
	}
	return Version, commit, runtime.Version()
}

// VersionRequested reports whether args (os.Args[1:]) ask for the version (-version or --version) and, if so,
// writes "<binary> <version> (commit <commit>, <go version>)" to w.
func VersionRequested(binary string, args []string, w io.Writer) bool {
	if len(args) != 1 || (args[0] != "-version" && args[0] != "--version") {
		return false
	}
	v, c, g := BuildInfo()
	_, _ = fmt.Fprintf(w, "%s %s (commit %s, %s)\n", binary, v, c, g)
	return true
}
