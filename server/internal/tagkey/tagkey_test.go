package tagkey

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"punchclock/app/nfctag"
	"punchclock/server/internal/store"
)

// fakeKeys is a tag key table that fails while down.
type fakeKeys struct {
	down  bool
	calls int
	rows  []store.TagKey
}

func (f *fakeKeys) EnsureTagKey(_ context.Context, seed []byte, now time.Time) ([]store.TagKey, error) {
	f.calls++
	if f.down {
		return nil, errors.New("database is down")
	}
	if len(f.rows) == 0 {
		f.rows = []store.TagKey{{ID: "k1", Seed: seed, Created: now}}
	}
	return f.rows, nil
}

// TestKeys: a store that cannot give the keys fails the call with an
// error that is none of nfctag's (the ingest retries such punches) and is
// asked again next time; once read, the keys sign, verify and encode
// for pulls without asking the store again.
func TestKeys(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	st := &fakeKeys{down: true}
	k := &Keys{Store: st, Now: func() time.Time { return at }, Rand: bytes.NewReader(bytes.Repeat([]byte{3}, 64))}
	_, err := k.Verify(ctx, "pc1.AAAA", "")
	if err == nil || errors.Is(err, nfctag.ErrFormat) || errors.Is(err, nfctag.ErrKey) {
		t.Fatalf("store down: %v, want the store's error", err)
	}
	st.down = false
	tok, err := k.Sign(ctx, "E004", "04:A2")
	if err != nil {
		t.Fatal(err)
	}
	if c, err := k.Verify(ctx, tok, "04A2"); err != nil || c.EmployeeID != "E004" {
		t.Fatalf("verify: %+v %v", c, err)
	}
	pub, err := k.Public(ctx)
	if err != nil || len(pub) != 1 || len(nfctag.ParseKeys(pub)) != 1 {
		t.Fatalf("public: %v %v", pub, err)
	}
	if st.calls != 2 {
		t.Errorf("the store was asked %d times, want 2 (the failure, then once)", st.calls)
	}
}
