package attendance

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Employee is a person who punches.
type Employee struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	DepartmentID string `json:"department_id"`
	// SiteID is the employee's home site; they may punch at any site.
	SiteID string `json:"site_id,omitempty"`
	// ManagerID overrides the department manager as direct manager.
	ManagerID string `json:"manager_id,omitempty"`
	// BadgeCode is the code printed on the badge (QR or Code 128).
	BadgeCode string `json:"badge_code,omitempty"`
	// Position is free text, as WeCom keeps it ("store manager").
	Position string `json:"position,omitempty"`
	// Active is false once the employee has left; a kiosk then refuses
	// the badge.
	Active bool `json:"active"`
	// LeavingDate is the last day the employee works, a civil date
	// (DateLayout) in their home site's zone; "" none. From the day after
	// they are inactive (ActiveAt): nothing has to run at midnight, every
	// reader judges it against its own clock.
	LeavingDate string `json:"leaving_date,omitempty"`
	Version     int64  `json:"version,omitempty"`
}

// DateLayout is how a civil date is written (a leaving date).
const DateLayout = "2006-01-02"

// ActiveOn reports whether the employee works on day (DateLayout): Active
// and day not after the leaving date.
func (e *Employee) ActiveOn(day string) bool {
	return e.Active && (e.LeavingDate == "" || day <= e.LeavingDate)
}

// ActiveAt reports whether the employee works at instant t, judged in
// loc (their home site's zone; nil: UTC).
func (e *Employee) ActiveAt(t time.Time, loc *time.Location) bool {
	if loc == nil {
		loc = time.UTC
	}
	return e.ActiveOn(t.In(loc).Format(DateLayout))
}

// Employee fields, as FieldProblem names them (their JSON names).
const (
	FieldID          = "id"
	FieldName        = "name"
	FieldDepartment  = "department_id"
	FieldSite        = "site_id"
	FieldManager     = "manager_id"
	FieldBadge       = "badge_code"
	FieldPosition    = "position"
	FieldLeavingDate = "leaving_date"
)

// Problem codes of a field: stable strings a page says in its own
// language (never renamed).
const (
	ProblemRequired = "required" // empty
	ProblemFormat   = "format"   // not of its form (an id's characters, a date)
	ProblemTooLong  = "too_long"
	ProblemControl  = "control" // control characters, NUL or invalid UTF-8
	ProblemUnknown  = "unknown" // names no such department, site or employee
	ProblemTaken    = "taken"   // another employee holds it (a badge)
	ProblemSelf     = "self"    // an employee as their own manager
)

// FieldProblem is what is wrong with one field, by code.
type FieldProblem struct {
	Field string `json:"field"`
	Code  string `json:"code"`
}

// cleanText reports whether s is valid UTF-8 without control characters.
func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// Problems lists what is wrong with the employee's own fields, by field
// and code; the references (department, site, manager) are the server's
// to check against the organisation.
func (e *Employee) Problems() []FieldProblem {
	var out []FieldProblem
	bad := func(field, code string) { out = append(out, FieldProblem{Field: field, Code: code}) }
	switch {
	case e.ID == "":
		bad(FieldID, ProblemRequired)
	case validID("employee", e.ID) != nil:
		bad(FieldID, ProblemFormat)
	}
	switch {
	case !cleanText(e.Name):
		bad(FieldName, ProblemControl)
	case strings.TrimSpace(e.Name) == "":
		bad(FieldName, ProblemRequired)
	case len(e.Name) > 200:
		bad(FieldName, ProblemTooLong)
	}
	switch {
	case e.DepartmentID == "":
		bad(FieldDepartment, ProblemRequired)
	case validID("department", e.DepartmentID) != nil:
		bad(FieldDepartment, ProblemUnknown)
	}
	if e.SiteID != "" && validID("site", e.SiteID) != nil {
		bad(FieldSite, ProblemUnknown)
	}
	switch {
	case e.ManagerID == "":
	case e.ManagerID == e.ID:
		bad(FieldManager, ProblemSelf)
	case validID("employee", e.ManagerID) != nil:
		bad(FieldManager, ProblemUnknown)
	}
	switch {
	case !cleanText(e.BadgeCode):
		bad(FieldBadge, ProblemControl)
	case len(e.BadgeCode) > 256:
		bad(FieldBadge, ProblemTooLong)
	}
	switch {
	case !cleanText(e.Position):
		bad(FieldPosition, ProblemControl)
	case len(e.Position) > 200:
		bad(FieldPosition, ProblemTooLong)
	}
	if e.LeavingDate != "" {
		if d, err := time.Parse(DateLayout, e.LeavingDate); err != nil || d.Format(DateLayout) != e.LeavingDate {
			bad(FieldLeavingDate, ProblemFormat)
		}
	}
	return out
}

// Validate checks the employee's own fields: the first of Problems.
func (e *Employee) Validate() error {
	if ps := e.Problems(); len(ps) > 0 {
		return invalidf("employee %q: %s: %s", e.ID, ps[0].Field, ps[0].Code)
	}
	return nil
}
