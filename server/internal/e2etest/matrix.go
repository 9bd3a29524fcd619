package e2etest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/store"
)

// MatrixDay is the date of the clock matrix: Wednesday 11 March 2026, a
// workday at both demo sites (China's and Germany's calendars), and so is
// the Thursday after it, which the midnight cell crosses into.
var MatrixDay = rules.NewDate(2026, time.March, 11)

// Cell is one site-local instant of the clock matrix and what the demo's
// rules make of a punch there. The browser flows (camera, face, offline
// reload, phone) run at every cell, on a clock fixed at the cell's instant
// (Clock), so what they assert never depends on the hour the test runs.
type Cell struct {
	Site    string // demo site id
	Name    string // the instant, site-local, as the issue names it
	H, M, S int
	// Crosses: the page is open before midnight and the punch is made once
	// the kiosk's clock has passed it.
	Crosses bool
	// Dir is the direction the rules engine gives the employee's first
	// punch of the day there; "" when it falls in no shift's punch window.
	Dir attendance.Direction
	// Late: an in punch past the grace period; the minutes are counted
	// from the shift's start to the punch's own time (LateAt).
	Late bool
	// DayOffset is the punch's business day relative to its local
	// calendar date: -1 for the end of a night shift that began yesterday.
	DayOffset int
	// BeforeDir and BeforeLate are what the rules make of a punch of the
	// midnight cell that lands before midnight (see For).
	BeforeDir  attendance.Direction
	BeforeLate bool
}

// For is the cell whose expectations hold for a punch at t: the cell
// itself, except for a punch of the midnight cell made before midnight
// (a camera reads a badge as soon as the page is up), which belongs to the
// Wednesday with the cell's Before expectations.
func (c Cell) For(t time.Time) Cell {
	if !c.Crosses || rules.DateOf(t.In(c.Loc())) != MatrixDay {
		return c
	}
	b := c
	b.Name += " (before midnight)"
	b.Dir, b.Late, b.DayOffset = c.BeforeDir, c.BeforeLate, 0
	return b
}

// demoShift is the shift of each demo site (demo.Config and
// demo.WorkshopConfig): Shanghai works days 09:00 to 18:00, Munich nights
// 22:00 to 06:00, both with 10 minutes' grace.
var demoShift = map[string]struct {
	zone  string
	start rules.Clock
}{
	"sh-jingan": {"Asia/Shanghai", rules.NewClock(9, 0)},
	"muc-works": {"Europe/Berlin", rules.NewClock(22, 0)},
}

// Matrix is the clock matrix of both demo sites: the instants a real day
// has (before the day shift, late, after it, the evening, a night shift's
// start and end, and midnight), and what the rules say of each. The
// expectations follow from the demo's shifts: a day-shift punch before
// 09:10 is on time, one after 18:00 is the shift's out, and 03:00 is in no
// window; a night-shift punch from midnight to the morning ends the shift
// that began the evening before, and one at 00:00 is the in of that same
// business day, 120 minutes late.
var Matrix = []Cell{
	{Site: "sh-jingan", Name: "03:00", H: 3},
	{Site: "sh-jingan", Name: "08:55", H: 8, M: 55, Dir: attendance.DirectionIn},
	{Site: "sh-jingan", Name: "09:20", H: 9, M: 20, Dir: attendance.DirectionIn, Late: true},
	{Site: "sh-jingan", Name: "13:00", H: 13, Dir: attendance.DirectionIn, Late: true},
	{Site: "sh-jingan", Name: "18:05", H: 18, M: 5, Dir: attendance.DirectionOut},
	{Site: "sh-jingan", Name: "21:30", H: 21, M: 30, Dir: attendance.DirectionOut},
	{Site: "sh-jingan", Name: "23:59:50", H: 23, M: 59, S: 50, Crosses: true, BeforeDir: attendance.DirectionOut},
	{Site: "muc-works", Name: "03:00", H: 3, Dir: attendance.DirectionOut, DayOffset: -1},
	{Site: "muc-works", Name: "08:55", H: 8, M: 55, Dir: attendance.DirectionOut, DayOffset: -1},
	{Site: "muc-works", Name: "09:20", H: 9, M: 20, Dir: attendance.DirectionOut, DayOffset: -1},
	{Site: "muc-works", Name: "13:00", H: 13},
	{Site: "muc-works", Name: "18:05", H: 18, M: 5},
	{Site: "muc-works", Name: "21:30", H: 21, M: 30, Dir: attendance.DirectionIn},
	{Site: "muc-works", Name: "23:59:50", H: 23, M: 59, S: 50, Crosses: true, Dir: attendance.DirectionIn, Late: true, DayOffset: -1,
		BeforeDir: attendance.DirectionIn, BeforeLate: true},
}

// SiteCells returns the matrix's cells of one site.
func SiteCells(site string) []Cell {
	var out []Cell
	for _, c := range Matrix {
		if c.Site == site {
			out = append(out, c)
		}
	}
	return out
}

// String names the cell for subtests: "sh-jingan@09:20".
func (c Cell) String() string { return c.Site + "@" + c.Name }

// Loc is the site's zone.
func (c Cell) Loc() *time.Location {
	loc, err := time.LoadLocation(demoShift[c.Site].zone)
	if err != nil {
		panic(fmt.Sprintf("e2etest: zone of %s: %v", c.Site, err))
	}
	return loc
}

// At is the cell's instant on MatrixDay.
func (c Cell) At() time.Time {
	y, m, d := MatrixDay.Date()
	return time.Date(y, m, d, c.H, c.M, c.S, 0, c.Loc())
}

// BusinessDay is the business day a punch made at t in this cell belongs
// to.
func (c Cell) BusinessDay(t time.Time) rules.Date {
	return rules.DateOf(t.In(c.Loc())).AddDays(c.DayOffset)
}

// LateAt is the lateness the rules give an in punch of this cell made at
// t: the minutes from the shift's start, or 0 when the cell is on time.
func (c Cell) LateAt(t time.Time) int {
	if !c.Late {
		return 0
	}
	start := c.BusinessDay(t).At(demoShift[c.Site].start, c.Loc())
	return int(t.Sub(start) / time.Minute)
}

// Role is the role the server's rules engine must give the punch.
func (c Cell) Role() rules.Role {
	switch c.Dir {
	case attendance.DirectionIn:
		return rules.RoleIn
	case attendance.DirectionOut:
		return rules.RoleOut
	}
	return rules.RoleOutsideWindow
}

// Zones are the browser time zones the matrix cycles through: a kiosk
// works in its site's zone whatever the tablet is set to.
var Zones = []string{"UTC", "Asia/Shanghai", "America/Los_Angeles"}

// Zone is the browser time zone of the i-th cell.
func Zone(i int) string { return Zones[i%len(Zones)] }

// CheckConfirm checks the kiosk's (or phone's) confirmation of a punch made
// at t against the cell: the direction and the lateness the rules give.
func (c Cell) CheckConfirm(t testing.TB, got Confirmation, at time.Time) {
	t.Helper()
	if got.Direction != string(c.Dir) || got.Late != c.LateAt(at) {
		t.Errorf("%s: confirmation %q / %q (direction %q, late %d) of a punch at %s, want direction %q, late %d",
			c, got.Who, got.What, got.Direction, got.Late, at.In(c.Loc()).Format("15:04:05"), c.Dir, c.LateAt(at))
	}
}

// CheckDay checks what punchd's rules engine made of the stored punch p: the
// business day whose record holds it, and its role there.
func (c Cell) CheckDay(t testing.TB, s *Server, p store.StoredPunch) {
	t.Helper()
	day := c.BusinessDay(p.TrueTime)
	res, err := s.Main().API.Days.Records(context.Background(), dayrec.Filter{EmployeeID: p.EmployeeID, From: day.AddDays(-1), To: day.AddDays(1)})
	if err != nil {
		t.Fatalf("%s: day records: %v", c, err)
	}
	for _, r := range res.Records {
		for _, u := range r.Punches {
			if u.ID != p.ID {
				continue
			}
			if r.Date != day || u.Role != c.Role() {
				t.Errorf("%s: punch at %s is the %s of business day %s, want the %s of %s",
					c, p.TrueTime.In(c.Loc()).Format("2006-01-02 15:04:05"), u.Role, r.Date, c.Role(), day)
			}
			if c.Dir == attendance.DirectionIn && r.LateMin != c.LateAt(p.TrueTime) {
				t.Errorf("%s: day %s late %d min, want %d", c, r.Date, r.LateMin, c.LateAt(p.TrueTime))
			}
			return
		}
	}
	t.Errorf("%s: no day record from %s to %s holds punch %s", c, day.AddDays(-1), day.AddDays(1), p.ID)
}

// RunMatrix runs f as a subtest for every cell of each site, each site in
// a browser of its own whose fake camera plays video(site) ("" for
// Chromium's test pattern); i numbers the site's cells (for Zone).
func RunMatrix(t *testing.T, sites []string, video func(site string) string, f func(t *testing.T, browser context.Context, cell Cell, i int)) {
	for _, site := range sites {
		t.Run(site, func(t *testing.T) {
			browser := NewBrowser(t, 15*time.Minute, video(site))
			for i, cell := range SiteCells(site) {
				t.Run(cell.Name, func(t *testing.T) { f(t, browser, cell, i) })
			}
		})
	}
}

// Sites are the demo sites the matrix covers.
var Sites = []string{"sh-jingan", "muc-works"}

// NoVideo is RunMatrix's video for flows that need no camera picture.
func NoVideo(string) string { return "" }
