// Package leakcheck is goleak with a wait that fits a loaded machine: goleak's own retries give goroutines that
// are ending ~0.4 s, which a closed transport's goroutines can overrun when the host is starved (load 30 on two
// cores). The checks here wait for the goroutines to end for up to Wait, then report what is still running.
package leakcheck

import (
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Wait bounds how long goroutines that are ending get to end (generous: -race on a small shared machine). A real
// leak waits forever, so it fails all the same.
const Wait = 10 * time.Second

// VerifyNone fails t if goroutines outside opts are still running after Wait.
func VerifyNone(t testing.TB, opts ...goleak.Option) {
	t.Helper()
	if ended(opts) {
		return
	}
	goleak.VerifyNone(t, opts...) // reports the stacks
}

// VerifyTestMain runs the tests and then, if they passed, fails the run when goroutines are still running after
// Wait (goleak.VerifyTestMain with the longer wait).
func VerifyTestMain(m *testing.M, opts ...goleak.Option) {
	code := m.Run()
	if code == 0 && !ended(opts) {
		if err := goleak.Find(opts...); err != nil {
			_, _ = fmt.Fprintf(os.Stderr, "goleak: errors on successful test run: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// ended reports whether the goroutines outside opts end within Wait; each goleak.Find backs off on its own for
// ~0.4 s before it gives up.
func ended(opts []goleak.Option) bool {
	for deadline := time.Now().Add(Wait); time.Now().Before(deadline); {
		if goleak.Find(opts...) == nil {
			return true
		}
	}
	return false
}
