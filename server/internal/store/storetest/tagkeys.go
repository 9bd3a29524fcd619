package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"punchclock/server/internal/store"
)

// testTagKeys: the first seed offered becomes the tag key and stays it;
// a later offer (another punchd starting) gets the same key back; a seed
// of the wrong size is invalid.
func testTagKeys(t *testing.T, s store.Store) {
	a, b := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	keys := must(s.EnsureTagKey(ctx, a, T0))
	if len(keys) != 1 || keys[0].ID != "k1" || !bytes.Equal(keys[0].Seed, a) || !keys[0].Created.Equal(T0) {
		t.Fatalf("first key: %+v", keys)
	}
	keys = must(s.EnsureTagKey(ctx, b, T0.Add(time.Hour)))
	if len(keys) != 1 || !bytes.Equal(keys[0].Seed, a) || !keys[0].Created.Equal(T0) {
		t.Fatalf("a second punchd's offer replaced the key: %+v", keys)
	}
	if _, err := s.EnsureTagKey(ctx, a[:31], T0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a 31-byte seed: %v, want invalid", err)
	}
}
