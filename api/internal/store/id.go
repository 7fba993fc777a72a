package store

import "github.com/google/uuid"

// NewID is a new row id: a UUIDv7, so ids sort by creation time (keyset
// paging and indexes like that), random in its other bits.
func NewID() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.New() // only if the system's randomness fails
	}
	return id
}
