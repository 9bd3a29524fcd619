package sqlstore

import (
	"fmt"
	"math"

	"punchclock/app/wire"
	"punchclock/server/internal/store"
)

// The checks below run before any query. PostgreSQL refuses text that is
// not UTF-8 or holds NUL with an error indistinguishable from a failing
// database, and SQLite would store it; both answer store.ErrInvalid
// instead (wrapped together with the coded error that names the field), so
// no path reaches a database with such text, whatever its caller checked.

// invalid wraps a check's failure for the method what.
func invalid(what string, err error) error {
	return fmt.Errorf("sqlstore: %s: %w (%w)", what, store.ErrInvalid, err)
}

// checkID checks identifier arguments (wire.CheckID).
func checkID(what string, ids ...string) error {
	for _, id := range ids {
		if err := wire.CheckID("id", id); err != nil {
			return invalid(what, err)
		}
	}
	return nil
}

// checkText checks free-text arguments (wire.CheckText).
func checkText(what string, texts ...string) error {
	for _, s := range texts {
		if err := wire.CheckText("text", s); err != nil {
			return invalid(what, err)
		}
	}
	return nil
}

// checkAll checks every string of a struct or slice argument
// (wire.CheckStrings: ids as ids, the rest as text).
func checkAll(what string, v any) error {
	if err := wire.CheckStrings(v); err != nil {
		return invalid(what, err)
	}
	return nil
}

// checkSeqs refuses sequence numbers the signed 64-bit column cannot hold.
func checkSeqs(what string, seqs ...uint64) error {
	for _, q := range seqs {
		if q > math.MaxInt64 {
			return invalid(what, wire.Errorf(wire.CodeInvalid, "seq %d is above 2^63-1", q))
		}
	}
	return nil
}

// checkPlan checks what decide wants written, inside the transaction and
// before the first write, so a bad plan writes nothing.
func checkPlan(plan store.IngestPlan) error {
	if err := checkAll("ingest plan", plan.Insert); err != nil {
		return err
	}
	for _, p := range plan.Insert {
		if err := checkSeqs("ingest plan", p.Seq); err != nil {
			return err
		}
	}
	return checkAll("ingest plan", plan.QRUses)
}
