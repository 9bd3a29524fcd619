package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	"punchclock/app/attendance"
	"punchclock/app/jsonenc"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/changefeed"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/store"
)

// ChangesPage is how many changed employees a page of the change feed
// holds by default, and MaxChangesPage at most.
const (
	ChangesPage    = 100
	MaxChangesPage = 500
)

// recordChanges answers GET /attendance/record?changes=true: the day
// records within from..to of the employee (or the department's
// employees) that changed since cursor, with what changed them, for a
// payroll system that polls. Without a cursor it answers no records and
// the cursor to start from. The answer's next_cursor is the next call's;
// more=true says the window read has more employees (call again at
// once), false that the feed is read up to now (call again later). See
// package changefeed for the guarantees.
func (s *Server) recordChanges(w http.ResponseWriter, r *http.Request, from, to rules.Date) error {
	q := r.URL.Query()
	if v := q.Get("changes"); v != "true" {
		return wire.Errorf(wire.CodeInvalid, "changes must be true (or left out)")
	}
	for _, k := range []string{"punches", "evidence"} {
		if q.Has(k) {
			return wire.Errorf(wire.CodeInvalid, "%s does not go with changes=true: read a changed day's punches from /punches", k)
		}
	}
	if from.IsZero() || to < from || to.Sub(from) >= dayrec.MaxDays {
		return wire.Errorf(wire.CodeInvalid, "from and to must be dates (YYYY-MM-DD) with from <= to, at most %d days", dayrec.MaxDays)
	}
	empID, deptID := q.Get("employee_id"), q.Get("department_id")
	if empID == "" && deptID == "" {
		return wire.Errorf(wire.CodeInvalid, "give employee_id or department_id")
	}
	if err := s.allowRecords(r, empID, deptID); err != nil {
		return err
	}
	// Whom the scope holds all (tokens, head office) learn, as from the
	// records, that an employee does not exist.
	if empID != "" {
		if _, err := s.Store.Employee(r.Context(), empID); errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
			return wire.Errorf(wire.CodeNotFound, "no employee %q", empID)
		} else if err != nil {
			return storeErr(err)
		}
	}
	limit := ChangesPage
	if v := q.Get("limit"); v != "" {
		var err error
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > MaxChangesPage {
			return wire.Errorf(wire.CodeInvalid, "limit must be a number of employees from 1 to %d", MaxChangesPage)
		}
	}
	lang, err := reasonsLang(q.Get("reasons"))
	if err != nil {
		return err
	}
	ctx := r.Context()
	if !q.Has("cursor") {
		cur, err := s.Feed.Start(ctx)
		if err != nil {
			return storeErr(err)
		}
		return writeJSON(w, http.StatusOK, map[string]any{"records": []any{}, "changes": []any{}, "next_cursor": cur.String(), "more": false})
	}
	cur, err := changefeed.ParseCursor(q.Get("cursor"))
	if err != nil {
		return err
	}
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	keep := func(e attendance.Employee) bool { return e.ID == empID }
	if empID == "" {
		depts, err := s.Store.Departments(ctx)
		if err != nil {
			return storeErr(err)
		}
		in := auth.DepartmentScope(deptID, depts)
		keep = func(e attendance.Employee) bool { return in.Employee(e) && (sc == nil || sc.Employee(e)) }
	}
	pg, err := s.Feed.Page(ctx, cur, keep, limit)
	if err != nil {
		return storeErr(err)
	}
	// Each changed employee's records over their changed days, computed
	// before a byte is sent (a page is at most limit employees).
	b := []byte(`{"records":[`)
	n := 0
	var changes []byte
	for i, c := range pg.Changes {
		days := c.DaysIn(from, to)
		if i > 0 {
			changes = append(changes, ',')
		}
		changes = appendChange(changes, c, days)
		if len(days) == 0 {
			continue
		}
		res, err := s.Days.Records(ctx, dayrec.Filter{EmployeeID: c.EmployeeID, From: days[0], To: days[len(days)-1], Lean: true})
		if wire.CodeOf(err) == wire.CodeNotFound {
			continue // no rules for the site yet, or gone: nothing to report
		}
		if err != nil {
			return storeErr(err)
		}
		for _, rec := range res.Records {
			if !dayIn(days, rec.Date) {
				continue
			}
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = rec.AppendJSONLang(b, lang)
			b = append(b, '\n')
		}
	}
	b = append(b, `],"changes":[`...)
	b = append(b, changes...)
	b = append(b, `],"next_cursor":`...)
	b = jsonenc.String(b, pg.Next.String())
	b = append(b, `,"more":`...)
	b = strconv.AppendBool(b, pg.More)
	b = append(b, "}\n"...)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	_, err = w.Write(b)
	return err
}

func dayIn(days []rules.Date, d rules.Date) bool {
	for _, x := range days {
		if x == d {
			return true
		}
	}
	return false
}

// appendChange appends {"employee_id":...,"days":[...],"reasons":[...]}:
// the days within the request's range the change may have changed.
func appendChange(b []byte, c *changefeed.Change, days []rules.Date) []byte {
	b = append(b, `{"employee_id":`...)
	b = jsonenc.String(b, c.EmployeeID)
	b = append(b, `,"days":[`...)
	for i, d := range days {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.String(b, d.String())
	}
	b = append(b, `],"reasons":[`...)
	for i, r := range c.Reasons {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.String(b, r)
	}
	return append(b, "]}"...)
}
