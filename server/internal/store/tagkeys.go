package store

import (
	"context"
	"time"
)

// TagKeys keep the server's NFC tag keys (package nfctag): Ed25519 seeds
// that sign the badge tokens written on NFC tags. Kiosks verify tokens
// with their public halves, so a key, once made, stays valid as long as
// a tag signed with it may be in use.
type TagKeys interface {
	// EnsureTagKey makes seed the first tag key when there is none (of
	// several punchd on one database, the first to ask wins) and returns
	// every key, oldest first: the newest signs.
	EnsureTagKey(ctx context.Context, seed []byte, now time.Time) ([]TagKey, error)
}

// TagKey is a stored tag key.
type TagKey struct {
	ID      string
	Seed    []byte
	Created time.Time
}
