//go:build linux || darwin || freebsd || netbsd || openbsd

package main

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// takeTerminal makes this process the terminal's foreground process group when it runs under make (MAKELEVEL is
// set) on a terminal, so that Ctrl-C reaches only us: make, left in the background, then exits with our status
// instead of dying of the interrupt itself. The returned function gives the terminal back. Elsewhere it does
// nothing.
func takeTerminal() (restore func()) {
	noop := func() {}
	if os.Getenv("MAKELEVEL") == "" {
		return noop
	}
	fd := int(os.Stdin.Fd())
	old, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	if err != nil {
		return noop // not a terminal
	}
	// A background process group that changes the terminal's foreground gets SIGTTOU unless it ignores it.
	signal.Ignore(syscall.SIGTTOU)
	own := unix.Getpgrp()
	if err := unix.Setpgid(0, 0); err != nil {
		signal.Reset(syscall.SIGTTOU)
		return noop
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPGRP, unix.Getpgrp()); err != nil {
		_ = unix.Setpgid(0, own)
		signal.Reset(syscall.SIGTTOU)
		return noop
	}
	return func() {
		_ = unix.IoctlSetPointerInt(fd, unix.TIOCSPGRP, old)
		signal.Reset(syscall.SIGTTOU)
	}
}
