// Package dayrec computes employees' day records on the server: it loads
// the rule configuration of each employee's site, the organisation and the
// stored punches, and runs the pure rules engine (app/rules).
//
// Records are computed when they are read, from the raw punches and the
// rules in force, so a punch that just arrived, an approval or a rule
// change shows at once and no stored verdict can go stale. The engine is
// fast enough for that (10,000 employees x 31 days in under a second).
package dayrec

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/store"
)

// errNoEmployee marks a filter that names no employee or department.
var errNoEmployee = errors.New("dayrec: no such employee or department")

// MaxDays is the longest range one request may evaluate.
const MaxDays = 62

// Service computes day records.
type Service struct {
	Store store.Store
	Now   func() time.Time
}

// Filter selects employees and a range of business days (inclusive).
type Filter struct {
	EmployeeID string
	// DepartmentID selects the department and its sub-departments.
	DepartmentID string
	From, To     rules.Date
	// After and Limit page a department or the company in employee id
	// order: the employees after After, at most Limit of them (0: all).
	// A page's records and punches are all a caller holds at once,
	// however large the company.
	After string
	Limit int
}

// Result is the records and the punches they were computed from.
type Result struct {
	Records []rules.DayRecord   `json:"records"`
	Punches []store.StoredPunch `json:"-"`
	// Next is the last employee of a page that has more after it: the
	// next page's Filter.After. "" when the filter is exhausted.
	Next string `json:"-"`
}

// Config returns a site's rule configuration ("" the default) and its
// version; ErrNotFound when none is stored.
func (s *Service) Config(ctx context.Context, siteID string) (rules.Config, int64, error) {
	doc, v, err := s.Store.Rules(ctx, siteID)
	if err != nil {
		return rules.Config{}, 0, err
	}
	c, err := rules.ParseConfig(doc)
	if err != nil {
		return c, v, fmt.Errorf("dayrec: stored rules of site %q: %w", siteID, err)
	}
	return c, v, nil
}

// Records evaluates the employees f selects over its range.
func (s *Service) Records(ctx context.Context, f Filter) (Result, error) {
	return s.records(ctx, f, nil)
}

// Preview evaluates f twice, with the stored configuration of siteID and
// with next in its place, and returns what would change.
func (s *Service) Preview(ctx context.Context, f Filter, siteID string, next rules.Config) ([]rules.Change, error) {
	before, err := s.records(ctx, f, nil)
	if wire.CodeOf(err) == wire.CodeNotFound && !errors.Is(err, errNoEmployee) {
		before, err = Result{}, nil // no rules stored yet: everything is new
	}
	if err != nil {
		return nil, err
	}
	after, err := s.records(ctx, f, map[string]rules.Config{siteID: next})
	if err != nil {
		return nil, err
	}
	return rules.Diff(before.Records, after.Records), nil
}

func (s *Service) records(ctx context.Context, f Filter, override map[string]rules.Config) (Result, error) {
	if f.From.IsZero() || f.To.IsZero() || f.To < f.From {
		return Result{}, wire.Errorf(wire.CodeInvalid, "from and to must be dates (YYYY-MM-DD) with from <= to")
	}
	if f.To.Sub(f.From) >= MaxDays {
		return Result{}, wire.Errorf(wire.CodeInvalid, "at most %d days at once", MaxDays)
	}
	depts, err := s.Store.Departments(ctx)
	if err != nil {
		return Result{}, err
	}
	emps, err := s.employees(ctx, f, depts)
	if err != nil {
		return Result{}, err
	}
	var res Result
	emps, res.Next = page(emps, f.After, f.Limit)
	sites, err := s.Store.Sites(ctx)
	if err != nil {
		return Result{}, err
	}
	zoneOf := map[string]string{}
	for _, site := range sites {
		zoneOf[site.ID] = site.Zone
	}
	// Employees are evaluated per site: a site has one zone and may have
	// its own rules.
	bySite := map[string][]attendance.Employee{}
	var order []string
	for _, e := range emps {
		if _, ok := bySite[e.SiteID]; !ok {
			order = append(order, e.SiteID)
		}
		bySite[e.SiteID] = append(bySite[e.SiteID], e)
	}
	now := s.Now()
	for _, siteID := range order {
		group := bySite[siteID]
		zone := zoneOf[siteID]
		if zone == "" {
			zone = "UTC"
		}
		cfg, ok := override[siteID]
		if def, hasDef := override[""]; !ok && hasDef && siteID != "" {
			// A new default applies to the sites without rules of their own.
			own, ownV, err1 := s.Store.Rules(ctx, siteID)
			_, defV, err2 := s.Store.Rules(ctx, "")
			if errors.Is(err1, store.ErrNotFound) || err1 == nil && err2 == nil && ownV == defV && own != nil {
				cfg, ok = def, true
			}
		}
		if !ok {
			if cfg, _, err = s.Config(ctx, siteID); errors.Is(err, store.ErrNotFound) {
				return Result{}, wire.Errorf(wire.CodeNotFound, "no rule configuration for site %q and no default; PUT /api/v1/rule/config first", siteID)
			} else if err != nil {
				return Result{}, err
			}
		}
		loc, err := time.LoadLocation(zone)
		if err != nil {
			return Result{}, fmt.Errorf("dayrec: site %s zone: %w", siteID, err)
		}
		in := &rules.Input{Rules: cfg.Rules, Schedule: cfg.Schedule, Calendar: cfg.Calendar,
			Employees: group, Departments: depts, Zone: zone, Now: now}
		// Punches of a night shift that started the day before, or that
		// ends the day after, belong to the range's edge days.
		from := f.From.AddDays(-1).At(rules.Clock(0), loc)
		to := f.To.AddDays(2).At(rules.Clock(0), loc)
		// One query for the whole group, not one per employee.
		ids := make([]string, len(group))
		for i, e := range group {
			ids[i] = e.ID
		}
		ps, err := s.Store.Punches(ctx, store.PunchFilter{EmployeeIDs: ids, From: from, To: to, Status: store.PunchAccepted})
		if err != nil {
			return Result{}, err
		}
		for i := range ps {
			p := &ps[i]
			// A time the server corrected against the device's word wants a
			// manager's look as much as a skewed clock does.
			corrected := slices.Contains(p.Flags, wire.FlagClockSkew) || slices.Contains(p.Flags, wire.FlagEstTimeMismatch)
			in.Punches = append(in.Punches, rules.FromAttendance(&p.Punch, p.TrueTime, corrected, p.Addr))
		}
		res.Punches = append(res.Punches, ps...)
		recs, err := rules.EvaluateParallel(in, f.From, f.To, 0)
		if err != nil {
			return Result{}, wire.Errorf(wire.CodeInvalid, "rules of site %q: %v", siteID, err)
		}
		res.Records = append(res.Records, recs...)
	}
	slices.SortStableFunc(res.Records, func(a, b rules.DayRecord) int {
		if a.EmployeeID != b.EmployeeID {
			if a.EmployeeID < b.EmployeeID {
				return -1
			}
			return 1
		}
		return a.Date.Sub(b.Date)
	})
	return res, nil
}

// page returns the employees after the id after, at most limit (0: all),
// in id order, and the last of them when more follow.
func page(emps []attendance.Employee, after string, limit int) ([]attendance.Employee, string) {
	slices.SortFunc(emps, func(a, b attendance.Employee) int { return strings.Compare(a.ID, b.ID) })
	i, _ := slices.BinarySearchFunc(emps, after, func(e attendance.Employee, id string) int {
		if e.ID <= id {
			return -1
		}
		return 1
	})
	emps = emps[i:]
	if limit <= 0 || len(emps) <= limit {
		return emps, ""
	}
	return emps[:limit], emps[limit-1].ID
}

// employees resolves the filter: one employee, a department subtree, or
// (neither given) everyone active.
func (s *Service) employees(ctx context.Context, f Filter, depts []attendance.Department) ([]attendance.Employee, error) {
	if f.EmployeeID != "" {
		e, err := s.Store.Employee(ctx, f.EmployeeID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, &wire.Error{Code: wire.CodeNotFound, Message: fmt.Sprintf("no employee %q", f.EmployeeID), Err: errNoEmployee}
		}
		return []attendance.Employee{e}, err
	}
	all, err := s.Store.Employees(ctx, store.EmployeeFilter{ActiveOnly: true})
	if err != nil || f.DepartmentID == "" {
		return all, err
	}
	in := map[string]bool{f.DepartmentID: true}
	found := false
	for changed := true; changed; {
		changed = false
		for _, d := range depts {
			found = found || d.ID == f.DepartmentID
			if !in[d.ID] && in[d.ParentID] {
				in[d.ID], changed = true, true
			}
		}
	}
	if !found {
		return nil, &wire.Error{Code: wire.CodeNotFound, Message: fmt.Sprintf("no department %q", f.DepartmentID), Err: errNoEmployee}
	}
	var out []attendance.Employee
	for _, e := range all {
		if in[e.DepartmentID] {
			out = append(out, e)
		}
	}
	return out, nil
}
