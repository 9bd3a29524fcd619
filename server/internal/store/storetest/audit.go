package storetest

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"punchclock/server/internal/store"
)

// testAudit: entries come back as appended, in order; concurrent appends
// (8 at once, as from several punchd) make one unforked chain with no
// gap; a seal that fails appends nothing; paging by seq works; an act
// with a Ref is recorded once.
func testAudit(t *testing.T, s store.Store) {
	seal := func(actor string) func(store.AuditEntry) (store.AuditEntry, error) {
		return func(head store.AuditEntry) (store.AuditEntry, error) {
			seq := head.Seq + 1
			return store.AuditEntry{Seq: seq, At: T0.Add(time.Duration(seq) * time.Millisecond), Actor: actor, Action: "test.act", Target: "t",
				Unit: "u1", Detail: json.RawMessage(`{"n":1}`), Prev: head.Hash, Hash: fmt.Sprintf("h%d", seq)}, nil
		}
	}
	first := must(s.AppendAudit(ctx, seal("token:first")))
	if first.Seq != 1 || first.Prev != "" {
		t.Fatalf("first entry: %+v", first)
	}
	if _, err := s.AppendAudit(ctx, func(store.AuditEntry) (store.AuditEntry, error) { return store.AuditEntry{}, fmt.Errorf("no") }); err == nil {
		t.Error("a failing seal appended")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			_, err := s.AppendAudit(ctx, seal(fmt.Sprintf("token:%d", i)))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent append: %v", err)
		}
	}
	all := must(s.AuditEntries(ctx, 0, 0))
	if len(all) != 9 {
		t.Fatalf("%d entries, want 9", len(all))
	}
	for i, e := range all {
		if e.Seq != int64(i+1) || e.Hash != fmt.Sprintf("h%d", i+1) || i > 0 && e.Prev != all[i-1].Hash {
			t.Errorf("entry %d: seq %d prev %q hash %q: the chain forked or has a gap", i, e.Seq, e.Prev, e.Hash)
		}
		if !e.At.Equal(T0.Add(time.Duration(e.Seq)*time.Millisecond)) || e.Action != "test.act" || e.Unit != "u1" || string(e.Detail) != `{"n":1}` {
			t.Errorf("entry %d read back as %+v", i, e)
		}
	}
	page := must(s.AuditEntries(ctx, 3, 2))
	if len(page) != 2 || page[0].Seq != 4 || page[1].Seq != 5 {
		t.Errorf("page after 3, limit 2: %+v", page)
	}
	// An act reported with its own id is one entry, however often and
	// however concurrently it is reported.
	before := len(must(s.AuditEntries(ctx, 0, 0)))
	refs := make(chan store.AuditEntry, 4)
	var rg sync.WaitGroup
	for range 4 {
		rg.Go(func() {
			e, err := s.AppendAudit(ctx, func(head store.AuditEntry) (store.AuditEntry, error) {
				e, err := seal("face")(head)
				e.Ref = "face:0190-ref"
				return e, err
			})
			if err != nil {
				t.Errorf("append with a ref: %v", err)
			}
			refs <- e
		})
	}
	rg.Wait()
	close(refs)
	var seqs []int64
	for e := range refs {
		seqs = append(seqs, e.Seq)
	}
	if after := len(must(s.AuditEntries(ctx, 0, 0))); after != before+1 || len(seqs) != 4 || seqs[0] != seqs[1] || seqs[1] != seqs[2] || seqs[2] != seqs[3] {
		t.Errorf("one act reported 4 times: %d entries added, entries returned %v, want 1 and the same seq", after-before, seqs)
	}
	if _, err := s.AppendAudit(ctx, seal("token:\\x00")); err != nil {
		t.Errorf("an escaped NUL is text: %v", err)
	}
	if _, err := s.AppendAudit(ctx, seal("token:\x00")); err == nil {
		t.Error("an actor holding NUL was stored")
	}
}
