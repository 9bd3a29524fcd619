package outbox

import (
	"context"

	"punchclock/app/attendance"
)

// rosterIndex is the pulled roster indexed for the scan path. It is built
// with the pull state it indexes, when the state is stored or first loaded,
// never on a scan: a 10,000-employee roster takes milliseconds to index,
// which the first scan after each pull used to wait for.
type rosterIndex struct {
	byBadge map[string]attendance.Employee
	byID    map[string]attendance.Employee
}

func indexRoster(es []attendance.Employee) *rosterIndex {
	ix := &rosterIndex{byBadge: make(map[string]attendance.Employee, len(es)), byID: make(map[string]attendance.Employee, len(es))}
	for _, emp := range es {
		if emp.BadgeCode != "" {
			ix.byBadge[emp.BadgeCode] = emp
		}
		ix.byID[emp.ID] = emp
	}
	return ix
}

// rosterLocked returns the index of the pulled roster. o.pullMu is held.
func (o *Outbox) rosterLocked(ctx context.Context) (*rosterIndex, error) {
	if _, err := o.pullLocked(ctx); err != nil {
		return nil, err
	}
	if o.roster == nil {
		o.roster = indexRoster(o.pull.Employees)
	}
	return o.roster, nil
}

// EmployeeByBadge looks badge code up in the roster of the latest pull (the
// last employee listed with it, should two share one).
func (o *Outbox) EmployeeByBadge(ctx context.Context, code string) (attendance.Employee, bool, error) {
	o.pullMu.Lock()
	defer o.pullMu.Unlock()
	ix, err := o.rosterLocked(ctx)
	if err != nil {
		return attendance.Employee{}, false, err
	}
	emp, ok := ix.byBadge[code]
	return emp, ok, nil
}

// EmployeesByID returns the roster of the latest pull by employee id. The
// map is built once per pull and shared: callers must not modify it.
func (o *Outbox) EmployeesByID(ctx context.Context) (map[string]attendance.Employee, error) {
	o.pullMu.Lock()
	defer o.pullMu.Unlock()
	ix, err := o.rosterLocked(ctx)
	if err != nil {
		return nil, err
	}
	return ix.byID, nil
}
