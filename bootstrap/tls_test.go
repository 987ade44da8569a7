package bootstrap

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSelfSignedCert: made on first start for the local names, reused on the next starts, made again when it is
// about to expire.
func TestSelfSignedCert(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	first, err := selfSignedCertAt(dir, now)
	require.NoError(t, err)
	require.NotNil(t, first.Leaf)
	require.NoError(t, first.Leaf.VerifyHostname("localhost"))
	require.NoError(t, first.Leaf.VerifyHostname("127.0.0.1"))
	require.NoError(t, first.Leaf.VerifyHostname("::1"))
	require.WithinDuration(t, now.Add(365*24*time.Hour), first.Leaf.NotAfter, time.Minute)

	again, err := selfSignedCertAt(dir, now.Add(300*24*time.Hour))
	require.NoError(t, err)
	require.Equal(t, first.Leaf.SerialNumber, again.Leaf.SerialNumber, "a valid certificate is reused")

	renewed, err := selfSignedCertAt(dir, now.Add(365*24*time.Hour))
	require.NoError(t, err)
	require.NotEqual(t, first.Leaf.SerialNumber, renewed.Leaf.SerialNumber, "an expiring certificate is made again")
	require.True(t, renewed.Leaf.NotAfter.After(now.Add(700*24*time.Hour)))
	reloaded, err := selfSignedCertAt(dir, now.Add(365*24*time.Hour))
	require.NoError(t, err)
	require.Equal(t, renewed.Leaf.SerialNumber, reloaded.Leaf.SerialNumber, "and the new one is what is on disk")
}
