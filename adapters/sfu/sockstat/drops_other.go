//go:build !linux

package sockstat

import "syscall"

// ReceiveDrops is not available here.
func ReceiveDrops(uintptr) (uint64, error) { return 0, ErrUnsupported }

// ConnDrops is not available here.
func ConnDrops(syscall.Conn) (uint64, error) { return 0, ErrUnsupported }
