//go:build !unix

package sfu

// processCPUSeconds is not measured where getrusage does not exist.
func processCPUSeconds() float64 { return 0 }
