package outbox

import (
	"context"
	"fmt"
	"time"

	"punchclock/app/wire"
)

// The per-employee index of recent entries.
//
// Every scan asks which punches the employee made since yesterday (the
// kiosk's provisional in/out hint). Reading them from the store lists every
// entry of the period, which grows all day at a busy entrance (3 ms with
// 1,000 punches, 10-16 ms with 4,000 over the memory store; IndexedDB is
// slower). The Outbox is the only writer of its store, so it keeps the
// entries of the period in memory, by employee, and updates them as it
// records, marks and prunes: a scan then reads only its employee's few.

// indexCompactAfter is how far LoadIndex's since may pass the index's
// start before the entries older than it are dropped (the day rolled over).
const indexCompactAfter = 12 * time.Hour

// entryIndex holds every stored entry whose At is at or after from.
type entryIndex struct {
	from  time.Time
	byEmp map[string][]*Entry // by Punch.EmployeeID, in chain order
	byID  map[string]*Entry
}

// EmployeeEntries returns the entries of employee employeeID (the empty
// string: the punches of badges the roster did not know) whose At is at or
// after since, in chain order: what Store.List(Filter{Since: since}) holds
// for that employee. They come from an in-memory index loaded from the
// store once (or again, when asked for an earlier since than it covers);
// the index does not keep the signed body, so Signed is empty. Callers must
// not modify the entries' slices.
func (o *Outbox) EmployeeEntries(ctx context.Context, employeeID string, since time.Time) ([]Entry, error) {
	o.idxMu.Lock()
	defer o.idxMu.Unlock()
	if err := o.indexLocked(ctx, since, false); err != nil {
		return nil, err
	}
	var out []Entry
	for _, e := range o.idx.byEmp[employeeID] {
		if !e.At.Before(since) {
			out = append(out, *e)
		}
	}
	return out, nil
}

// EmployeeToday is EmployeeEntries since the start of today in loc (by the
// injected clock): the employee's part of Today.
func (o *Outbox) EmployeeToday(ctx context.Context, employeeID string, loc *time.Location) ([]Entry, error) {
	y, m, d := o.clock().In(loc).Date()
	return o.EmployeeEntries(ctx, employeeID, time.Date(y, m, d, 0, 0, 0, 0, loc))
}

// LoadIndex loads the index of the entries recorded since since, unless
// it already holds them, so that the first EmployeeEntries does not wait
// for the store; once since has moved on by indexCompactAfter (the next
// day), it drops the older entries. Call it off the scan path (at start,
// after a sync) with the earliest since the scans will ask for.
func (o *Outbox) LoadIndex(ctx context.Context, since time.Time) error {
	o.idxMu.Lock()
	defer o.idxMu.Unlock()
	return o.indexLocked(ctx, since, true)
}

// indexLocked makes the index cover since: it loads it from the store when
// there is none or it starts later, and, if compact, drops what is older
// than since once since has moved on by indexCompactAfter. o.idxMu is held.
func (o *Outbox) indexLocked(ctx context.Context, since time.Time, compact bool) error {
	switch ix := o.idx; {
	case ix == nil || since.Before(ix.from):
		es, err := o.store.List(ctx, Filter{Since: since})
		if err != nil {
			o.idx = nil
			return fmt.Errorf("outbox: index: %w", err)
		}
		ix = &entryIndex{from: since, byEmp: map[string][]*Entry{}, byID: make(map[string]*Entry, len(es))}
		for i := range es {
			ix.add(&es[i])
		}
		o.idx = ix
	case compact && since.Sub(ix.from) >= indexCompactAfter:
		ix.from = since
		ix.keep(func(e *Entry) bool { return !e.At.Before(since) })
	}
	return nil
}

// add indexes e (its signed body dropped) unless it is there already.
func (ix *entryIndex) add(e *Entry) {
	if _, ok := ix.byID[e.ID]; ok || e.At.Before(ix.from) {
		return
	}
	c := *e
	c.Signed = wire.SignedPunch{}
	ix.byID[c.ID] = &c
	ix.byEmp[c.Punch.EmployeeID] = append(ix.byEmp[c.Punch.EmployeeID], &c)
}

// keep drops the entries for which ok is false.
func (ix *entryIndex) keep(ok func(*Entry) bool) {
	for emp, es := range ix.byEmp {
		kept := es[:0]
		for _, e := range es {
			if ok(e) {
				kept = append(kept, e)
			} else {
				delete(ix.byID, e.ID)
			}
		}
		clear(es[len(kept):])
		if len(kept) == 0 {
			delete(ix.byEmp, emp)
		} else {
			ix.byEmp[emp] = kept
		}
	}
}

// indexWrite brings the index up to a store write that returned err:
// apply when it succeeded; on an error the write may still have happened
// (a cancelled wait on a committed transaction), so the index is dropped
// and loaded again when next needed.
func (o *Outbox) indexWrite(err error, apply func(*entryIndex)) {
	o.idxMu.Lock()
	defer o.idxMu.Unlock()
	switch {
	case o.idx == nil:
	case err != nil:
		o.idx = nil
	default:
		apply(o.idx)
	}
}

// indexAppended adds an entry the store was asked to append.
func (o *Outbox) indexAppended(e *Entry, err error) {
	o.indexWrite(err, func(ix *entryIndex) { ix.add(e) })
}

// indexMarked applies marks the store was asked to apply.
func (o *Outbox) indexMarked(marks []Mark, err error) {
	o.indexWrite(err, func(ix *entryIndex) {
		for _, m := range marks {
			if e := ix.byID[m.ID]; e != nil {
				m.Apply(e)
			}
		}
	})
}

// indexPruned drops what Store.Prune(before) deleted: the synced entries
// whose At is before before.
func (o *Outbox) indexPruned(before time.Time, n int, err error) {
	if n == 0 && err == nil {
		return
	}
	o.indexWrite(err, func(ix *entryIndex) {
		ix.keep(func(e *Entry) bool { return e.State != StateSynced || !e.At.Before(before) })
	})
}
