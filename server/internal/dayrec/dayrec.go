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
	"maps"
	"slices"
	"strings"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/approval"
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
	// Evidence keeps the punches' signed bodies and signatures.
	Evidence bool
	// Lean hands the sink's Punch only what the rules engine reads of a
	// punch (see store.PunchFilter.Lean): for callers that want the
	// records, not the punches, and a company's month in a fraction of
	// the time. Evidence needs the whole punch.
	Lean bool
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
	f.Lean, f.Evidence = true, false // records only
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

// records collects what stream hands out.
func (s *Service) records(ctx context.Context, f Filter, override map[string]rules.Config) (Result, error) {
	var res Result
	next, err := s.stream(ctx, f, override, Sink{
		Punch: func(p *store.StoredPunch) error {
			res.Punches = append(res.Punches, *p)
			return nil
		},
		Records: func(recs []rules.DayRecord) error {
			res.Records = append(res.Records, rules.CloneRecords(recs)...)
			return nil
		},
	})
	res.Next = next
	return res, err
}

// Sink receives what Stream computes.
type Sink struct {
	// Employees, when set, is called first with the page's employees in
	// id order (those its records will name), for callers that show more
	// of them than the id. emps is not kept by Stream.
	Employees func(emps []attendance.Employee) error
	// Punch is called first, for every punch the page's records are
	// computed from, as they are read (each employee's together, by true
	// time). p is not kept by Stream.
	Punch func(p *store.StoredPunch) error
	// Records is then called with each employee's records over the
	// range, by date, employee by employee in id order. They are reused
	// once it returns (see rules.Engine.EvaluateEach): it copies what it
	// keeps.
	Records func(recs []rules.DayRecord) error
}

// Stream evaluates the employees f selects, a page of them (see Filter),
// and hands their punches and records to sink. It returns the next
// page's cursor, "" after the last page. A page's punches are read in one
// query; what Stream holds at once is their part the rules engine reads
// and the records of a few chunks of employees being evaluated. Without
// f.Evidence the punches come without their signed bodies and signatures.
func (s *Service) Stream(ctx context.Context, f Filter, sink Sink) (string, error) {
	return s.stream(ctx, f, nil, sink)
}

// site is what the evaluation of a page's employees of one site needs.
type site struct {
	engine *rules.Engine
	input  rules.Input // rules, schedule, calendar, zone and now
	// from and to bound the true times of the punches the site's
	// employees' records are computed from.
	from, to time.Time
}

func (s *Service) stream(ctx context.Context, f Filter, override map[string]rules.Config, sink Sink) (string, error) {
	if f.From.IsZero() || f.To.IsZero() || f.To < f.From {
		return "", wire.Errorf(wire.CodeInvalid, "from and to must be dates (YYYY-MM-DD) with from <= to")
	}
	if f.To.Sub(f.From) >= MaxDays {
		return "", wire.Errorf(wire.CodeInvalid, "at most %d days at once", MaxDays)
	}
	depts, err := s.Store.Departments(ctx)
	if err != nil {
		return "", err
	}
	emps, next, err := s.employees(ctx, f, depts)
	if err != nil {
		return "", err
	}
	if len(emps) == 0 {
		return next, nil
	}
	if sink.Employees != nil {
		if err := sink.Employees(emps); err != nil {
			return "", err
		}
	}
	sites, err := s.sites(ctx, emps, depts, f, override)
	if err != nil {
		return "", err
	}
	// One query for the page, each employee's punches together.
	ids := make([]string, len(emps))
	pos := make(map[string]int, len(emps))
	var from, to time.Time
	for i, e := range emps {
		ids[i], pos[e.ID] = e.ID, i
		st := sites[e.SiteID]
		if from.IsZero() || st.from.Before(from) {
			from = st.from
		}
		if st.to.After(to) {
			to = st.to
		}
	}
	// Decided approval flows: make-up punches become corrections, and
	// decisions on anomalies approvals (package approval).
	corrections, approvals, err := approval.Inputs(ctx, s.Store, ids, f.From.AddDays(-1), f.To.AddDays(1))
	if err != nil {
		return "", err
	}
	// Room for two punches a day each: the slice grows once or never.
	in := make([]rules.Punch, 0, min(len(emps)*(f.To.Sub(f.From)+3)*2, 1<<17))
	err = s.Store.EachPunch(ctx, store.PunchFilter{EmployeeIDs: ids, From: from, To: to, Status: store.PunchAccepted,
		ByEmployee: true, NoEvidence: !f.Evidence, Lean: f.Lean && !f.Evidence}, func(p *store.StoredPunch) error {
		i, ok := pos[p.EmployeeID]
		if !ok {
			return fmt.Errorf("dayrec: the store answered a punch of %q, not asked for", p.EmployeeID)
		}
		st := sites[emps[i].SiteID]
		if p.TrueTime.Before(st.from) || !p.TrueTime.Before(st.to) {
			return nil // in the page's window, not in the site's
		}
		// A time the server corrected against the device's word wants a
		// manager's look as much as a skewed clock does.
		corrected := slices.Contains(p.Flags, wire.FlagClockSkew) || slices.Contains(p.Flags, wire.FlagEstTimeMismatch)
		in = append(in, rules.FromAttendance(&p.Punch, p.TrueTime, corrected, p.Addr))
		return sink.Punch(p)
	})
	if err != nil {
		return "", err
	}
	// The database's order of employee ids may not be Go's.
	byPos := func(a, b rules.Punch) int { return pos[a.EmployeeID] - pos[b.EmployeeID] }
	if !slices.IsSortedFunc(in, byPos) {
		slices.SortStableFunc(in, byPos)
	}
	// Runs of employees of one site, in id order, are evaluated together;
	// their punches are consecutive.
	for lo, k := 0, 0; lo < len(emps); {
		hi := lo + 1
		for hi < len(emps) && emps[hi].SiteID == emps[lo].SiteID {
			hi++
		}
		first := k
		for k < len(in) && pos[in[k].EmployeeID] < hi {
			k++
		}
		st := sites[emps[lo].SiteID]
		input := st.input
		input.Employees, input.Punches = emps[lo:hi], in[first:k]
		input.Corrections, input.Approvals = nil, nil
		for _, c := range corrections {
			if i, ok := pos[c.EmployeeID]; ok && i >= lo && i < hi {
				input.Corrections = append(input.Corrections, c)
			}
		}
		for _, a := range approvals {
			if i, ok := pos[a.EmployeeID]; ok && i >= lo && i < hi {
				input.Approvals = append(input.Approvals, a)
			}
		}
		var sinkErr error
		err := st.engine.EvaluateEach(&input, f.From, f.To, 0, func(recs []rules.DayRecord) error {
			sinkErr = sink.Records(recs)
			return sinkErr
		})
		if sinkErr != nil {
			return "", sinkErr
		}
		if err != nil {
			return "", wire.Errorf(wire.CodeInvalid, "rules of site %q: %v", emps[lo].SiteID, err)
		}
		lo = hi
	}
	return next, nil
}

// sites compiles the rules of the sites of emps.
func (s *Service) sites(ctx context.Context, emps []attendance.Employee, depts []attendance.Department, f Filter, override map[string]rules.Config) (map[string]*site, error) {
	all, err := s.Store.Sites(ctx)
	if err != nil {
		return nil, err
	}
	zoneOf := map[string]string{}
	for _, st := range all {
		zoneOf[st.ID] = st.Zone
	}
	bySite := map[string][]attendance.Employee{}
	for _, e := range emps {
		bySite[e.SiteID] = append(bySite[e.SiteID], e)
	}
	now := s.Now()
	out := map[string]*site{}
	for siteID, group := range bySite {
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
				return nil, wire.Errorf(wire.CodeNotFound, "no rule configuration for site %q and no default; PUT /api/v1/rule/config first", siteID)
			} else if err != nil {
				return nil, err
			}
		}
		loc, err := time.LoadLocation(zone)
		if err != nil {
			return nil, fmt.Errorf("dayrec: site %s zone: %w", siteID, err)
		}
		st := &site{input: rules.Input{Rules: withSiteGeo(cfg.Rules, all), Schedule: cfg.Schedule, Calendar: cfg.Calendar,
			Employees: group, Departments: depts, Zone: zone, Now: now},
			// Punches of a night shift that started the day before, or
			// that ends the day after, belong to the range's edge days.
			from: f.From.AddDays(-1).At(rules.Clock(0), loc),
			to:   f.To.AddDays(2).At(rules.Clock(0), loc),
		}
		if st.engine, err = rules.Compile(&st.input); err != nil {
			return nil, wire.Errorf(wire.CodeInvalid, "rules of site %q: %v", siteID, err)
		}
		out[siteID] = st
	}
	return out, nil
}

// withSiteGeo is rs with the fences and networks of the sites that have
// any (attendance.Site, edited in the console) in place of rs's entries
// for those sites; rs itself is not changed.
func withSiteGeo(rs rules.RuleSet, sites []attendance.Site) rules.RuleSet {
	var out []rules.Site
	own := map[string]bool{}
	for _, s := range sites {
		if len(s.Fences)+len(s.Networks) > 0 {
			own[s.ID] = true
			out = append(out, rules.Site{ID: s.ID, Name: s.Name, Fences: s.Fences, Networks: s.Networks})
		}
	}
	if len(out) == 0 {
		return rs
	}
	for _, x := range rs.Sites {
		if !own[x.ID] {
			out = append(out, x)
		}
	}
	rs.Sites = out
	return rs
}

// employees resolves the filter, a page of it: one employee, a department
// subtree, or (neither given) everyone active, those after f.After in id
// order, at most f.Limit (0: all), and the last of them when more follow.
// Employees returns the employees f selects, a page of them when f.Limit
// is set, and the next page's cursor: those Stream would evaluate, for a
// caller that counts before it computes.
func (s *Service) Employees(ctx context.Context, f Filter) ([]attendance.Employee, string, error) {
	depts, err := s.Store.Departments(ctx)
	if err != nil {
		return nil, "", err
	}
	return s.employees(ctx, f, depts)
}

func (s *Service) employees(ctx context.Context, f Filter, depts []attendance.Department) ([]attendance.Employee, string, error) {
	if f.EmployeeID != "" {
		e, err := s.Store.Employee(ctx, f.EmployeeID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, "", &wire.Error{Code: wire.CodeNotFound, Message: fmt.Sprintf("no employee %q", f.EmployeeID), Err: errNoEmployee}
		}
		if err != nil || e.ID <= f.After {
			return nil, "", err
		}
		return []attendance.Employee{e}, "", nil
	}
	ef := store.EmployeeFilter{ActiveOnly: true, AfterID: f.After}
	if f.Limit > 0 {
		ef.Limit = f.Limit + 1 // one more says whether a page follows
	}
	if f.DepartmentID != "" {
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
			return nil, "", &wire.Error{Code: wire.CodeNotFound, Message: fmt.Sprintf("no department %q", f.DepartmentID), Err: errNoEmployee}
		}
		ef.DepartmentIDs = slices.Sorted(maps.Keys(in))
	}
	emps, err := s.Store.Employees(ctx, ef)
	if err != nil {
		return nil, "", err
	}
	// The store's order is Go's; sorted again all the same, as the
	// records' order is the answer's contract.
	slices.SortFunc(emps, func(a, b attendance.Employee) int { return strings.Compare(a.ID, b.ID) })
	if f.Limit <= 0 || len(emps) <= f.Limit {
		return emps, "", nil
	}
	return emps[:f.Limit], emps[f.Limit-1].ID, nil
}

// Fences returns the geofences the rule set of siteID keeps for that site
// (a site's own, edited in the console, come first: see withSiteGeo);
// none when it has no rules stored.
func (s *Service) Fences(ctx context.Context, siteID string) ([]attendance.Fence, error) {
	c, _, err := s.Config(ctx, siteID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	for _, x := range c.Rules.Sites {
		if x.ID == siteID {
			return x.Fences, nil
		}
	}
	return nil, nil
}
