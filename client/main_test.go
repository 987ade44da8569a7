package client

import (
	"testing"

	"go.uber.org/goleak"
)

// Every transport, reader and pacer must be gone when the tests end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
