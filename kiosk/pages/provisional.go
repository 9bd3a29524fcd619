package pages

import (
	"context"
	"errors"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/token"
	"punchclock/kiosk/outbox"
)

// provisional runs the rules engine on the kiosk, offline, to tell the
// employee on the spot whether their newest punch is the shift's in or its
// out, and how late it is. It sees only the rules and roster of the latest
// pull and this kiosk's own punches of yesterday and today, so the server's
// evaluation stays the authority. dir is DirectionNone when the punch falls
// in no shift's punch window. ok is false when the kiosk has no usable
// rules; the caller then falls back to counting punches.
func (e *Env) provisional(ctx context.Context, emp attendance.Employee, punchID string, loc *time.Location) (dir attendance.Direction, lateMin int, ok bool) {
	eng, err := e.ruleEngine(ctx, loc)
	if err != nil {
		return "", 0, false
	}
	now := e.Now(ctx).In(loc)
	today := rules.DateOf(now)
	yesterday := today.AddDays(-1)
	// The outbox's index holds the recent punches by employee: a scan
	// reads this employee's few, not the whole day's of the entrance.
	es, err := e.Outbox.EmployeeEntries(ctx, emp.ID, hintSince(now, loc))
	if err != nil {
		return "", 0, false
	}
	var punches []rules.Punch
	for _, en := range es {
		if en.State == outbox.StateRejected {
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

// ruleEngine returns the rules engine compiled from the latest pull (its
// rules, roster and departments), compiling it once per pull: compiling
// loads the holiday calendar, which a scan must not wait for each time.
func (e *Env) ruleEngine(ctx context.Context, loc *time.Location) (*rules.Engine, error) {
	st, gen, err := e.Outbox.PullGen(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.engAt == gen && (e.eng != nil || e.engErr != nil) {
		return e.eng, e.engErr
	}
	e.eng, e.engErr, e.engAt = nil, nil, gen
	if len(st.Rules) == 0 {
		e.engErr = errNoRules
		return nil, e.engErr
	}
	cfg, err := rules.ParseConfig(st.Rules)
	if err == nil {
		e.eng, err = rules.Compile(&rules.Input{Rules: cfg.Rules, Schedule: cfg.Schedule, Calendar: cfg.Calendar,
			Employees: st.Employees, Departments: st.Departments, Zone: loc.String(), Location: loc})
	}
	e.engErr = err
	return e.eng, err
}

var errNoRules = errors.New("pages: no rules pulled")

// hintSince is the start of the punches the hint looks at, by the best
// known true time now: yesterday's midnight in the site's zone.
func hintSince(now time.Time, loc *time.Location) time.Time {
	return rules.DateOf(now.In(loc)).AddDays(-1).At(rules.Clock(0), loc)
}

// warmRules compiles the rules of the latest pull if they are new, and
// loads (or, after midnight, trims) the outbox's index of the punches the
// hint reads: the work a scan would otherwise wait for.
func (e *Env) warmRules() {
	ctx := context.Background()
	if _, loc, err := e.Site(ctx); err == nil {
		e.ruleEngine(ctx, loc)
		e.Outbox.LoadIndex(ctx, hintSince(e.Now(ctx), loc))
	}
}

// rulesTime is the time the server's rules will give a punch: a phone's QR
// punch counts at the step of the kiosk token it carries (the kiosk's
// clock when it showed the code), every other punch at its best known
// true time.
func rulesTime(p attendance.Punch) time.Time {
	if p.Method == attendance.MethodQR {
		if c, err := token.Parse(p.Evidence.QRToken); err == nil {
			return c.StepTime()
		}
	}
	return punchTime(p)
}
