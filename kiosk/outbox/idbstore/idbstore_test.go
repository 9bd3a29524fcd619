//go:build js && wasm

package idbstore

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/outbox/outboxtest"
)

// run makes database names unique to this test binary run, in case a
// browser profile is reused.
var run = time.Now().UnixNano()

func TestConformance(t *testing.T) {
	ctx := context.Background()
	created := map[string]bool{}
	outboxtest.Run(t, func(t *testing.T, name string) outbox.Store {
		name = fmt.Sprintf("%s-%d", name, run)
		if !created[name] {
			created[name] = true
			// Registered first, so it runs last, after every Close.
			t.Cleanup(func() {
				if err := Delete(ctx, name); err != nil {
					t.Errorf("Delete: %v", err)
				}
			})
		}
		s, err := Open(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestStrictDurability checks that writes ask for strict durability and
// that this Chromium honours the option (the transaction reports it).
func TestStrictDurability(t *testing.T) {
	ctx := context.Background()
	name := fmt.Sprintf("durability-%d", run)
	s, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer Delete(ctx, name)
	defer s.Close()
	cases := []struct {
		mode idb.TransactionMode
		want idb.TransactionDurability
	}{
		{idb.TransactionReadWrite, idb.DurabilityStrict},
		{idb.TransactionReadOnly, idb.DurabilityDefault},
	}
	for _, c := range cases {
		txn, err := s.txn(c.mode, storeEntries)
		if err != nil {
			t.Fatal(err)
		}
		got, err := txn.Durability()
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s transaction: got durability %s, want %s", c.mode, got, c.want)
		}
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		want error
	}{
		{idb.NewDOMException("QuotaExceededError"), outbox.ErrQuota},
		{idb.NewDOMException("ConstraintError"), outbox.ErrExists},
	}
	for _, c := range cases {
		if got := classify(c.err); !errors.Is(got, c.want) || !errors.Is(got, c.err) {
			t.Errorf("classify(%v): got %v, want it to wrap %v and the cause", c.err, got, c.want)
		}
	}
	other := errors.New("other")
	if got := classify(other); got != other {
		t.Errorf("classify(other): got %v", got)
	}
}

func TestStorageManager(t *testing.T) {
	ctx := context.Background()
	if _, err := RequestPersist(ctx); err != nil {
		t.Errorf("RequestPersist: %v", err)
	}
	if _, err := Persisted(ctx); err != nil {
		t.Errorf("Persisted: %v", err)
	}
	usage, quota, err := Estimate(ctx)
	if err != nil || quota <= 0 || usage < 0 {
		t.Errorf("Estimate: got %d, %d, %v", usage, quota, err)
	}
}

// TestOutboxOverIndexedDB records punches through the outbox, "reloads the
// page" (a new connection and outbox) and checks the punches and the chain
// survived and go on.
func TestOutboxOverIndexedDB(t *testing.T) {
	ctx := context.Background()
	name := fmt.Sprintf("outbox-%d", run)
	defer Delete(ctx, name)
	now := time.Date(2026, 11, 22, 0, 57, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Second); return now }
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))

	s, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	o, err := outbox.Open(ctx, s, outbox.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.SetIdentity(ctx, outbox.Identity{DeviceID: "kiosk-1", Key: key}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, emp := range []string{"e1", "e2", "e3"} {
		e, err := o.Record(ctx, attendance.Punch{EmployeeID: emp, Method: attendance.MethodBadge})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	if _, err := o.Record(ctx, attendance.Punch{EmployeeID: "e1", Method: attendance.MethodBadge}); !errors.Is(err, outbox.ErrRecentDuplicate) {
		t.Errorf("repeat within the window: got %v, want ErrRecentDuplicate", err)
	}
	s.Close()

	s, err = Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o, err = outbox.Open(ctx, s, outbox.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	pending, err := o.Pending(ctx, 0)
	if err != nil || len(pending) != 3 {
		t.Fatalf("after reopen: %d pending, %v", len(pending), err)
	}
	for i, e := range pending {
		if e.ID != ids[i] || !ed25519.Verify(key.Public().(ed25519.PublicKey), e.Signed.Body, e.Signed.Sig) {
			t.Errorf("entry %d: %s, signature ok %v", i, e.ID, ed25519.Verify(key.Public().(ed25519.PublicKey), e.Signed.Body, e.Signed.Sig))
		}
	}
	e, err := o.Record(ctx, attendance.Punch{EmployeeID: "e4", Method: attendance.MethodBadge})
	if err != nil || e.Seq != 4 || e.Punch.Prev != wire.HashBody(pending[2].Signed.Body) {
		t.Errorf("after reopen: seq %d prev %s, %v; want 4 following the third", e.Seq, e.Punch.Prev, err)
	}
}

// TestMarkFullBatch settles a whole syncer batch in one transaction, the
// read-then-write path with the most requests.
func TestMarkFullBatch(t *testing.T) {
	ctx := context.Background()
	name := fmt.Sprintf("fullbatch-%d", run)
	defer Delete(ctx, name)
	s, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 22, 0, 57, 0, 0, time.UTC)
	o, err := outbox.Open(ctx, s, outbox.Options{Clock: func() time.Time { now = now.Add(time.Second); return now }, DedupWindow: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.SetIdentity(ctx, outbox.Identity{DeviceID: "kiosk-1", Key: ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))}); err != nil {
		t.Fatal(err)
	}
	for i := range 150 {
		if _, err := o.Record(ctx, attendance.Punch{EmployeeID: fmt.Sprint("e", i), Method: attendance.MethodBadge}); err != nil {
			t.Fatal(err)
		}
	}
	batch, err := o.Pending(ctx, 100)
	if err != nil || len(batch) != 100 {
		t.Fatalf("Pending(100): %d, %v", len(batch), err)
	}
	var marks []outbox.Mark
	for i, e := range batch {
		m := outbox.Mark{ID: e.ID, State: outbox.StateSynced, At: now}
		if i%10 == 0 {
			m = outbox.Mark{ID: e.ID, State: outbox.StateRejected, At: now, Code: wire.CodeInvalid, Message: "unknown employee"}
		}
		marks = append(marks, m)
	}
	if err := o.Mark(ctx, marks); err != nil {
		t.Fatal(err)
	}
	st, err := o.Stats(ctx)
	if err != nil || st.Pending != 50 || st.Rejected != 10 {
		t.Errorf("Stats: got %+v, %v, want 50 pending, 10 rejected", st, err)
	}
	if n, err := o.Prune(ctx, 0); err != nil || n != 90 {
		t.Errorf("Prune: got %d, %v, want 90", n, err)
	}
}
