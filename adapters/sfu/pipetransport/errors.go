package pipetransport

import (
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Sentinel errors of the package. Input errors wrap domain.ErrInvalidInput and a second Connect returns (wrapped)
// domain.ErrAlreadyConnected, so the engine can hand them to the HTTP layer unchanged.
var (
	// ErrClosed is returned by calls on a closed transport.
	ErrClosed = errors.New("pipetransport: transport closed")
	// ErrNotConnected is returned by WriteRTP/WriteRTCP before Connect.
	ErrNotConnected = errors.New("pipetransport: transport not connected")
	// ErrIdleTimeout is the OnClose reason when nothing arrived from the remote for Config.IdleTimeout.
	ErrIdleTimeout = errors.New("pipetransport: nothing received, idle timeout")
	// ErrNoFreePort is returned by New when every port of [PortMin, PortMax] is taken.
	ErrNoFreePort = errors.New("pipetransport: no free port in range")
	// ErrInvalidPacket is returned by WriteRTP/WriteRTCP for bytes that are not an RTP (resp. RTCP) packet: sending
	// them would make the remote misclassify or drop them.
	ErrInvalidPacket = fmt.Errorf("%w: pipetransport: not an RTP/RTCP packet of the expected kind", domain.ErrInvalidInput)
)

// invalid wraps domain.ErrInvalidInput with a message.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: pipetransport: "+format, append([]any{domain.ErrInvalidInput}, args...)...)
}
