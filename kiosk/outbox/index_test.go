package outbox_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/outbox/memstore"
)

// TestEmployeeEntriesMatchStore: whatever is recorded, marked and pruned,
// with the clock moving either way, EmployeeEntries answers what listing
// the store and keeping the employee's entries answers, for any since,
// across the index's loads and its trimming by LoadIndex.
func TestEmployeeEntriesMatchStore(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 12))
			o, s, c := newOutbox(t, outbox.Options{DedupWindow: -1})
			emps := []string{"e1", "e2", "e3", "e4", "e5", ""}
			var ids []string
			check := func(step int, since time.Time) {
				t.Helper()
				all, err := s.List(ctx, outbox.Filter{Since: since})
				if err != nil {
					t.Fatal(err)
				}
				for _, emp := range emps {
					var want []outbox.Entry
					for _, e := range all {
						if e.Punch.EmployeeID == emp {
							e.Signed = wire.SignedPunch{}
							want = append(want, e)
						}
					}
					got, err := o.EmployeeEntries(ctx, emp, since)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("step %d, %q since %v: index has %d entries, store %d\n got %+v\nwant %+v", step, emp, since, len(got), len(want), got, want)
					}
				}
			}
			for step := range 150 {
				switch k := r.IntN(20); {
				case k < 10:
					p := badge(emps[r.IntN(len(emps))])
					if p.EmployeeID == "" {
						p.Evidence.BadgeCode = fmt.Sprint("X", r.IntN(3))
					}
					e, err := o.Record(ctx, p)
					if err != nil {
						t.Fatal(err)
					}
					ids = append(ids, e.ID)
				case k < 13 && len(ids) > 0:
					var marks []outbox.Mark
					for range 1 + r.IntN(3) {
						m := outbox.Mark{ID: ids[r.IntN(len(ids))], State: outbox.StateSynced, At: c.Now(), Flags: []string{wire.FlagClockSkew}}
						if r.IntN(3) == 0 {
							m.State, m.Code, m.Message = outbox.StateRejected, wire.CodeInvalid, "bad"
						}
						marks = append(marks, m)
					}
					// Unknown (pruned) ids fail as a whole, in both.
					_ = o.Mark(ctx, marks)
				case k < 14:
					if _, err := o.Prune(ctx, time.Duration(r.IntN(72))*time.Hour); err != nil {
						t.Fatal(err)
					}
				case k < 16:
					if err := o.LoadIndex(ctx, c.Now().Add(-time.Duration(r.IntN(60))*time.Hour)); err != nil {
						t.Fatal(err)
					}
				case k < 19:
					c.Advance(time.Duration(r.IntN(300)) * time.Minute)
				default:
					c.Advance(-time.Duration(r.IntN(300)) * time.Minute) // a clock set back
				}
				check(step, c.Now().Add(-time.Duration(r.IntN(60))*time.Hour))
			}
			if len(ids) == 0 {
				t.Fatal("nothing recorded")
			}
		})
	}
}

// lyingStore commits an Append but answers an error, as a cancelled wait
// on a committed IndexedDB transaction does.
type lyingStore struct {
	outbox.Store
	lie bool
}

func (l *lyingStore) Append(ctx context.Context, e outbox.Entry, chain wire.Chain) error {
	if err := l.Store.Append(ctx, e, chain); err != nil || !l.lie {
		return err
	}
	return context.Canceled
}

// TestEmployeeEntriesAfterUnsureAppend: a punch whose Append answered an
// error although the store kept it is in the index's answer as in the
// store (the index is loaded again rather than guessed).
func TestEmployeeEntriesAfterUnsureAppend(t *testing.T) {
	c := &clock{now: t0}
	ls := &lyingStore{Store: memstore.New()}
	o, err := outbox.Open(ctx, ls, outbox.Options{Clock: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.SetIdentity(ctx, id); err != nil {
		t.Fatal(err)
	}
	since := t0.Add(-time.Hour)
	if _, err := o.Record(ctx, badge("e1")); err != nil {
		t.Fatal(err)
	}
	if es, err := o.EmployeeEntries(ctx, "e1", since); err != nil || len(es) != 1 {
		t.Fatalf("after one punch: %d entries, %v", len(es), err)
	}
	ls.lie = true
	c.Advance(time.Hour)
	if _, err := o.Record(ctx, badge("e1")); err == nil {
		t.Fatal("Record reported success for an Append that answered an error")
	}
	stored, _ := ls.List(ctx, outbox.Filter{Since: since})
	es, err := o.EmployeeEntries(ctx, "e1", since)
	if err != nil || len(es) != 2 || len(stored) != 2 || es[1].ID != stored[1].ID {
		t.Fatalf("after the unsure append: index %d entries (%v), store %d; want both 2", len(es), err, len(stored))
	}
}
