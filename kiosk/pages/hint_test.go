package pages

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/kiosk/outbox"
)

// The scan path as it was before the outbox indexed the recent punches and
// the roster (commit 1c721f4): kept here to prove the new path answers the
// same, and to measure one against the other (BenchmarkScanHint).

// rosterBefore is the badge map the Env rebuilt on the first scan after
// each pull.
type rosterBefore struct {
	m  map[string]attendance.Employee
	at uint64
}

func (e *Env) employeeBefore(ctx context.Context, rc *rosterBefore, code string) (attendance.Employee, bool, error) {
	st, gen, err := e.Outbox.PullGen(ctx)
	if err != nil {
		return attendance.Employee{}, false, err
	}
	if rc.m == nil || gen != rc.at {
		rc.m = make(map[string]attendance.Employee, len(st.Employees))
		for _, emp := range st.Employees {
			if emp.BadgeCode != "" {
				rc.m[emp.BadgeCode] = emp
			}
		}
		rc.at = gen
	}
	emp, ok := rc.m[code]
	return emp, ok, nil
}

func (e *Env) directionBefore(ctx context.Context, emp attendance.Employee, punchID string, loc *time.Location) (attendance.Direction, int) {
	if dir, late, ok := e.provisionalBefore(ctx, emp, punchID, loc); ok {
		return dir, late
	}
	return e.countDirectionBefore(ctx, emp.ID, loc), 0
}

func (e *Env) countDirectionBefore(ctx context.Context, employeeID string, loc *time.Location) attendance.Direction {
	es, err := e.Outbox.Today(ctx, loc)
	if err != nil {
		return attendance.DirectionNone
	}
	n := 0
	for _, en := range es {
		if en.Punch.EmployeeID == employeeID && en.State != outbox.StateRejected {
			n++
		}
	}
	if n%2 == 1 {
		return attendance.DirectionIn
	}
	return attendance.DirectionOut
}

// provisionalBefore is provisional as it was: it lists every entry stored
// since yesterday and keeps the employee's.
func (e *Env) provisionalBefore(ctx context.Context, emp attendance.Employee, punchID string, loc *time.Location) (dir attendance.Direction, lateMin int, ok bool) {
	eng, err := e.ruleEngine(ctx, loc)
	if err != nil {
		return "", 0, false
	}
	now := e.Now(ctx).In(loc)
	today := rules.DateOf(now)
	yesterday := today.AddDays(-1)
	es, err := e.Outbox.Store().List(ctx, outbox.Filter{Since: yesterday.At(rules.Clock(0), loc)})
	if err != nil {
		return "", 0, false
	}
	var punches []rules.Punch
	for _, en := range es {
		if en.Punch.EmployeeID != emp.ID || en.State == outbox.StateRejected {
			continue
		}
		p := en.Punch
		punches = append(punches, rules.FromAttendance(&p, rulesTime(p), false, ""))
	}
	recs, err := eng.EvaluateEmployeeAt(now, emp.ID, punches, nil, nil, yesterday, today)
	if err != nil {
		return "", 0, false
	}
	for _, r := range recs {
		for _, u := range r.Punches {
			if u.ID != punchID {
				continue
			}
			switch u.Role {
			case rules.RoleIn:
				return attendance.DirectionIn, r.LateMin, true
			case rules.RoleOut:
				return attendance.DirectionOut, 0, true
			case rules.RoleOutsideWindow:
				// In no shift's punch window (03:00 for a day shift): the
				// punch is kept, but calling it in or out would mislead.
				return attendance.DirectionNone, 0, true
			case rules.RoleMerged:
				// A repeat of an earlier punch: it says what that one was.
				if r.In != nil && r.In.ID == u.MergedInto {
					return attendance.DirectionIn, r.LateMin, true
				}
				return attendance.DirectionOut, 0, true
			}
		}
	}
	return "", 0, false
}

// hintRules: the office's weekday day shift (09:00-18:00, 10 minutes'
// grace), and a night shift (22:00-06:00) for the position "night", whose
// punches span two days.
func hintRules(t testing.TB) []byte {
	t.Helper()
	doc, err := json.Marshal(rules.Config{
		Rules: rules.RuleSet{
			Basic: rules.Basic{DefaultSchedule: "office"},
			Shifts: []rules.Shift{
				{ID: "day", Start: rules.NewClock(9, 0), End: rules.NewClock(18, 0)},
				{ID: "night", Start: rules.NewClock(22, 0), End: rules.NewClock(6, 0)},
			},
			Weekly: []rules.WeeklySchedule{
				{ID: "office", Days: rules.WeekDays{Mon: "day", Tue: "day", Wed: "day", Thu: "day", Fri: "day"}},
				{ID: "nights", Days: rules.WeekDays{Mon: "night", Tue: "night", Wed: "night", Thu: "night", Fri: "night", Sat: "night"}},
			},
			Exceptions: rules.Exceptions{LateGraceMin: 10},
		},
		Schedule: rules.Schedule{Assignments: []rules.Assignment{{Scope: rules.ScopePosition, Target: "night", Schedule: "nights"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// hintRoster is n active employees E00001... with badges B00001..., every
// third on nights.
func hintRoster(n int) []attendance.Employee {
	es := make([]attendance.Employee, n)
	for i := range es {
		es[i] = attendance.Employee{ID: fmt.Sprintf("E%05d", i+1), Name: fmt.Sprintf("Employee %d", i+1), BadgeCode: fmt.Sprintf("B%05d", i+1), Active: true}
		if i%3 == 2 {
			es[i].Position = "night"
		}
	}
	return es
}

// TestHintSameAsBefore: on randomized punch sets (day and night shifts,
// repeats, rejections, prunes, a clock set back, offsets learnt and the
// days rolling over), the badge lookup and the provisional in/out hint
// from the outbox's indexes answer exactly what the old path, listing
// the store on every scan, answered: for the newest punch and an earlier
// one of the employee, with usable rules and with broken ones.
func TestHintSameAsBefore(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			clk := &clock{t: time.Date(2026, 11, 16, 0, 30, 0, 0, time.UTC)} // Monday 08:30 in Shanghai
			env, st := officeKiosk(t, clk)
			ctx := context.Background()
			roster := hintRoster(12)
			roster[3].Active = false
			st.Employees, st.Rules = roster, hintRules(t)
			if err := env.Outbox.SetPull(ctx, st); err != nil {
				t.Fatal(err)
			}
			_, loc, err := env.Site(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var rc rosterBefore
			byEmp := map[string][]string{}
			var ids []string
			counts := map[attendance.Direction]int{}
			for step := range 250 {
				switch k := r.IntN(40); {
				case k < 2:
					clk.add(-time.Duration(r.IntN(180)) * time.Minute) // set back
				case k < 4:
					off := outbox.ClockOffset{Offset: time.Duration(r.IntN(7)-3) * time.Hour, At: clk.now()}
					if err := env.Outbox.SetClock(ctx, off); err != nil {
						t.Fatal(err)
					}
				case k < 7 && len(ids) > 0:
					m := outbox.Mark{ID: ids[r.IntN(len(ids))], State: outbox.StateSynced, At: clk.now()}
					if r.IntN(2) == 0 {
						m.State = outbox.StateRejected
					}
					if err := env.Outbox.Mark(ctx, []outbox.Mark{m}); err != nil {
						t.Fatal(err)
					}
				case k < 8:
					if _, err := env.Outbox.Prune(ctx, time.Duration(r.IntN(48))*time.Hour); err != nil {
						t.Fatal(err)
					}
				case k < 9:
					// Rules broken, or usable again: the count fallback.
					st.Rules = hintRules(t)
					if r.IntN(2) == 0 {
						st.Rules = []byte(`{"rules": {"nonsense": 1}}`)
					}
					if err := env.Outbox.SetPull(ctx, st); err != nil {
						t.Fatal(err)
					}
				case k < 11:
					env.warmRules() // after a sync: trims the index after midnight
				default:
					clk.add(time.Duration(r.IntN(240)) * time.Minute)
				}
				code := fmt.Sprintf("B%05d", 1+r.IntN(14)) // two unknown badges
				emp, known, err := env.employee(ctx, code)
				wemp, wknown, werr := env.employeeBefore(ctx, &rc, code)
				if err != nil || werr != nil || known != wknown || emp != wemp {
					t.Fatalf("step %d: badge %s: %+v %v %v, before %+v %v %v", step, code, emp, known, err, wemp, wknown, werr)
				}
				if !known || !emp.Active {
					continue
				}
				e, err := env.Outbox.Record(ctx, attendance.Punch{EmployeeID: emp.ID, Method: attendance.MethodBadge, Evidence: attendance.Evidence{BadgeCode: code}})
				if err != nil && err != outbox.ErrRecentDuplicate {
					t.Fatal(err)
				}
				if err == nil {
					ids, byEmp[emp.ID] = append(ids, e.ID), append(byEmp[emp.ID], e.ID)
				}
				mine := byEmp[emp.ID]
				for _, id := range []string{mine[len(mine)-1], mine[r.IntN(len(mine))]} {
					dir, late := env.direction(ctx, emp, id, loc)
					wdir, wlate := env.directionBefore(ctx, emp, id, loc)
					if dir != wdir || late != wlate {
						t.Fatalf("step %d (%s): %s's punch %s: %q late %d, before %q late %d", step, clk.now().In(loc), emp.ID, id, dir, late, wdir, wlate)
					}
					counts[dir]++
				}
			}
			// The walk must have met every answer the hint gives.
			for _, d := range []attendance.Direction{attendance.DirectionIn, attendance.DirectionOut, attendance.DirectionNone} {
				if counts[d] == 0 {
					t.Errorf("no %q answer in the walk: %v", d, counts)
				}
			}
		})
	}
}
