package bootstrap

import "github.com/google/uuid"

// UUIDs makes random (v4) uuids for rows and slave objects.
type UUIDs struct{}

// NewID implements application.IDGenerator.
func (UUIDs) NewID() string { return uuid.NewString() }
