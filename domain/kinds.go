package domain

import "fmt"

// MediaKind is "audio" or "video"; the zero value is unknown and never valid.
type MediaKind string

const (
	MediaKindAudio MediaKind = "audio"
	MediaKindVideo MediaKind = "video"
)

// ParseMediaKind rejects anything but audio and video.
func ParseMediaKind(s string) (MediaKind, error) {
	switch MediaKind(s) {
	case MediaKindAudio, MediaKindVideo:
		return MediaKind(s), nil
	default:
		return "", fmt.Errorf("%w: kind must be \"audio\" or \"video\", got %q", ErrInvalidInput, s)
	}
}

// PeerKind says which way a peer's transport carries media.
type PeerKind string

const (
	PeerKindProducer PeerKind = "producer"
	PeerKindConsumer PeerKind = "consumer"
)

// SlaveRole is the role a slave registered with.
type SlaveRole string

const (
	SlaveRoleProducer SlaveRole = "producer"
	SlaveRoleConsumer SlaveRole = "consumer"
)

// ParseSlaveRole rejects anything but producer and consumer.
func ParseSlaveRole(s string) (SlaveRole, error) {
	switch SlaveRole(s) {
	case SlaveRoleProducer, SlaveRoleConsumer:
		return SlaveRole(s), nil
	default:
		return "", fmt.Errorf("%w: role must be \"producer\" or \"consumer\", got %q", ErrInvalidInput, s)
	}
}

// SlaveStatus is a slave's liveness as the master sees it.
type SlaveStatus string

const (
	SlaveStatusAlive SlaveStatus = "alive"
	SlaveStatusDead  SlaveStatus = "dead"
)
