//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package main

// takeTerminal does nothing where there are no Unix process groups.
func takeTerminal() (restore func()) { return func() {} }
