// Package changefeed says which employee-days changed since a cursor: a
// punch received, an approval flow started or decided, a rule, site or
// employee change behind them. Day records are computed when read
// (package dayrec), so a change of any of their inputs is a change of the
// record; the feed reports the inputs' changes as employee-days.
//
// The feed writes nothing: it tails what already orders the changes.
//   - Punches by arrival (received_at, then id; the punches_received
//     index). Arrival times come from punchd's clock before the ingest
//     transaction commits, so a punch may commit after a reader has read
//     past its arrival time. A window therefore ends at a safe point: Lag
//     before now, and Lag before the oldest transaction in flight on the
//     database (store.FeedHorizon: PostgreSQL's every instance). A punch
//     is missed only if its transaction began more than Lag after its
//     arrival time was taken (a group commit queue, a clock skew between
//     instances) and then committed after the read: keep Lag above both.
//   - Approval flows, sites, employees and rules by the global change
//     version their writes bump. The bump locks one row until commit, so
//     versions commit in order and a read of the version sees every
//     write at or below it: no race.
//
// A cursor is two positions, a change version and an arrival time, and
// when a window is read a page at a time, the window's end and the last
// employee handed out. It is opaque to clients (Cursor.String).
package changefeed

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/store"
)

// DefaultLag is how far behind now (and behind the oldest transaction in
// flight) a window ends. SQLite waits up to 15 s for its writer lock;
// a minute covers that and the group commit's queue.
const DefaultLag = time.Minute

// Position is a point of the feed: every change at or below Version and
// every punch received before At has been read.
type Position struct {
	Version int64
	At      time.Time
}

// Cursor is a client's place in the feed. Paging through a window, End
// is the window's end and After the last employee handed out.
type Cursor struct {
	Pos   Position
	End   Position
	After string
}

// Paging reports whether the cursor is inside a window.
func (c Cursor) Paging() bool { return c.End != (Position{}) }

type cursorJSON struct {
	V  int64  `json:"v"`
	T  int64  `json:"t"`
	EV int64  `json:"ev,omitempty"`
	ET int64  `json:"et,omitempty"`
	A  string `json:"a,omitempty"`
}

const cursorPrefix = "cf1_"

// String encodes the cursor.
func (c Cursor) String() string {
	j := cursorJSON{V: c.Pos.Version, T: c.Pos.At.UnixMilli(), A: c.After}
	if c.Paging() {
		j.EV, j.ET = c.End.Version, c.End.At.UnixMilli()
	}
	b, _ := json.Marshal(j)
	return cursorPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// errCursor is the one refusal of a cursor that is not the feed's.
var errCursor = wire.Errorf(wire.CodeInvalid, "cursor is not one this feed handed out")

// ParseCursor decodes a cursor String made.
func ParseCursor(s string) (Cursor, error) {
	raw, ok := strings.CutPrefix(s, cursorPrefix)
	if !ok || len(raw) > 1024 {
		return Cursor{}, errCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return Cursor{}, errCursor
	}
	var j cursorJSON
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil || j.V < 0 || j.T <= 0 || j.EV < 0 || j.ET < 0 || wire.CheckText("cursor", j.A) != nil {
		return Cursor{}, errCursor
	}
	c := Cursor{Pos: Position{Version: j.V, At: time.UnixMilli(j.T).UTC()}, After: j.A}
	if j.ET != 0 {
		c.End = Position{Version: j.EV, At: time.UnixMilli(j.ET).UTC()}
		if c.End.Version < c.Pos.Version || c.End.At.Before(c.Pos.At) {
			return Cursor{}, errCursor
		}
	} else if j.A != "" || j.EV != 0 {
		return Cursor{}, errCursor
	}
	return c, nil
}

// Reasons an employee's days changed.
const (
	ReasonPunch    = "punch"
	ReasonApproval = "approval"
	ReasonRules    = "rules"
	ReasonSite     = "site"
	ReasonEmployee = "employee"
)

// Change is what changed of one employee in a window.
type Change struct {
	EmployeeID string
	// AllDays: a change of the employee, their site or its rules, which
	// may change every one of their days.
	AllDays bool
	// Days are the business days a punch or an approval may have
	// changed, in order: the punch's local day and both its neighbours
	// (a night shift's punch belongs to the day it began; an early
	// punch-in before midnight to the next), an approval's day and both
	// its neighbours likewise.
	Days    []rules.Date
	Reasons []string
}

// DaysIn returns the changed days within [from, to].
func (c *Change) DaysIn(from, to rules.Date) []rules.Date {
	var out []rules.Date
	if c.AllDays {
		for d := from; d <= to; d++ {
			out = append(out, d)
		}
		return out
	}
	for _, d := range c.Days {
		if d >= from && d <= to {
			out = append(out, d)
		}
	}
	return out
}

// Window is what a read of the feed between two positions found.
type Window struct {
	From, To Position
	// Punches are those received in [From.At, To.At).
	Punches []store.Received
	// Approvals are those started or changed in (From.Version, To.Version].
	Approvals []store.ApprovalRow
	// Changes are the employees' changed days, by employee id.
	Changes []*Change
}

// Feed reads the change feed of a store.
type Feed struct {
	Store store.Store
	Now   func() time.Time
	// Lag holds a window's end behind now (0: DefaultLag).
	Lag time.Duration
}

func (f *Feed) lag() time.Duration {
	if f.Lag > 0 {
		return f.Lag
	}
	return DefaultLag
}

// Safe is the furthest position a window may end at now, never before
// not (the start of the window it ends).
func (f *Feed) Safe(ctx context.Context, not Position) (Position, error) {
	c, err := f.Store.Changes(ctx, math.MaxInt64)
	if err != nil {
		return Position{}, err
	}
	at := f.Now()
	h, err := f.Store.FeedHorizon(ctx)
	if err != nil {
		return Position{}, err
	}
	if !h.IsZero() && h.Before(at) {
		at = h
	}
	p := Position{Version: max(c.Version, not.Version), At: at.Add(-f.lag()).Truncate(time.Millisecond).UTC()}
	if p.At.Before(not.At) {
		p.At = not.At
	}
	return p, nil
}

// Start is the cursor a new reader starts from: the safe position now.
func (f *Feed) Start(ctx context.Context) (Cursor, error) {
	p, err := f.Safe(ctx, Position{})
	return Cursor{Pos: p}, err
}

// Read reads what changed between from and to.
func (f *Feed) Read(ctx context.Context, from, to Position) (Window, error) {
	w := Window{From: from, To: to}
	var err error
	if to.At.After(from.At) {
		if w.Punches, err = f.Store.PunchesReceived(ctx, from.At, to.At); err != nil {
			return w, err
		}
	}
	var org store.Changes
	if to.Version > from.Version {
		if w.Approvals, err = f.Store.ApprovalsChanged(ctx, from.Version, to.Version); err != nil {
			return w, err
		}
		// Changes reads up to the current version, past to: more than
		// the window holds is reported, never less.
		if org, err = f.Store.Changes(ctx, from.Version); err != nil {
			return w, err
		}
	}
	if len(w.Punches) == 0 && len(w.Approvals) == 0 && len(org.Employees) == 0 && len(org.Sites) == 0 && len(org.RulesChanged) == 0 {
		return w, nil
	}
	sites, err := f.Store.Sites(ctx)
	if err != nil {
		return w, err
	}
	zones := map[string]*time.Location{}
	for _, s := range sites {
		if loc, err := time.LoadLocation(s.Zone); err == nil {
			zones[s.ID] = loc
		}
	}
	by := map[string]*Change{}
	get := func(emp, reason string) *Change {
		c := by[emp]
		if c == nil {
			c = &Change{EmployeeID: emp}
			by[emp] = c
		}
		if !slices.Contains(c.Reasons, reason) {
			c.Reasons = append(c.Reasons, reason)
		}
		return c
	}
	for _, p := range w.Punches {
		if p.EmployeeID == "" {
			// A record kept of nobody (a terminal's unknown PIN)
			// changes no one's day.
			continue
		}
		loc := zones[p.SiteID]
		if loc == nil {
			loc = time.UTC
		}
		c := get(p.EmployeeID, ReasonPunch)
		c.Days = append(c.Days, neighbours(rules.DateOf(p.TrueTime.In(loc)))...)
	}
	for _, a := range w.Approvals {
		c := get(a.EmployeeID, ReasonApproval)
		c.Days = append(c.Days, neighbours(rules.Date(a.Day))...)
	}
	// A site's zone or rules: every employee of it; the default rules
	// (site "") are every site's without its own: everyone.
	whole := map[string]string{}
	for _, s := range org.Sites {
		whole[s.ID] = ReasonSite
	}
	everyone := false
	for _, id := range org.RulesChanged {
		whole[id] = ReasonRules
		everyone = everyone || id == ""
	}
	for _, e := range org.Employees {
		get(e.ID, ReasonEmployee).AllDays = true
	}
	if len(whole) > 0 {
		emps, err := f.Store.Employees(ctx, store.EmployeeFilter{})
		if err != nil {
			return w, err
		}
		for _, e := range emps {
			if r, ok := whole[e.SiteID]; ok {
				get(e.ID, r).AllDays = true
			} else if everyone {
				get(e.ID, ReasonRules).AllDays = true
			}
		}
	}
	for _, c := range by {
		slices.Sort(c.Days)
		c.Days = slices.Compact(c.Days)
		if c.AllDays {
			c.Days = nil
		}
		slices.Sort(c.Reasons)
		w.Changes = append(w.Changes, c)
	}
	slices.SortFunc(w.Changes, func(a, b *Change) int { return strings.Compare(a.EmployeeID, b.EmployeeID) })
	return w, nil
}

func neighbours(d rules.Date) []rules.Date { return []rules.Date{d - 1, d, d + 1} }

// Page is a page of changes a reader's scope holds.
type Page struct {
	Changes []*Change
	// Next is the cursor of the next call; More says it continues the
	// same window (call again now) rather than waiting for new changes.
	Next Cursor
	More bool
}

// Page reads from cur: the changes of the employees keep accepts, at most
// limit employees, and the cursor after them. A cursor outside a window
// opens one up to the safe position now.
func (f *Feed) Page(ctx context.Context, cur Cursor, keep func(attendance.Employee) bool, limit int) (Page, error) {
	if !cur.Paging() {
		end, err := f.Safe(ctx, cur.Pos)
		if err != nil {
			return Page{}, err
		}
		cur.End, cur.After = end, ""
	}
	w, err := f.Read(ctx, cur.Pos, cur.End)
	if err != nil {
		return Page{}, err
	}
	var pg Page
	var emps map[string]attendance.Employee
	if len(w.Changes) > 0 {
		all, err := f.Store.Employees(ctx, store.EmployeeFilter{})
		if err != nil {
			return Page{}, err
		}
		emps = make(map[string]attendance.Employee, len(all))
		for _, e := range all {
			emps[e.ID] = e
		}
	}
	for _, c := range w.Changes {
		if c.EmployeeID <= cur.After {
			continue
		}
		e, ok := emps[c.EmployeeID]
		if !ok || !keep(e) {
			continue
		}
		if len(pg.Changes) == limit {
			pg.Next, pg.More = Cursor{Pos: cur.Pos, End: cur.End, After: pg.Changes[limit-1].EmployeeID}, true
			return pg, nil
		}
		pg.Changes = append(pg.Changes, c)
	}
	pg.Next = Cursor{Pos: cur.End}
	return pg, nil
}

// String describes a change for logs and tests.
func (c *Change) String() string {
	if c.AllDays {
		return fmt.Sprintf("%s: every day (%s)", c.EmployeeID, strings.Join(c.Reasons, ","))
	}
	return fmt.Sprintf("%s: %v (%s)", c.EmployeeID, c.Days, strings.Join(c.Reasons, ","))
}
