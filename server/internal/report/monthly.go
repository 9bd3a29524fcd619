// Package report builds the exports of attendance: the monthly attendance
// sheet (one row per employee-day) as CSV or XLSX, streamed.
//
// An export reads its employees a page at a time through dayrec and
// writes each employee's rows as the engine hands out their records, so a
// 10,000-employee month is never held in memory as records at once: the
// CSV goes straight to the writer, the XLSX through excelize's stream
// writer (which keeps the sheet in a temporary file until it is written
// out).
package report

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/store"
)

// Formats of an export.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Languages of the column headers.
const (
	LangEN = "en"
	LangZH = "zh"
)

// Page is how many employees an export reads at once (fewer for ranges
// longer than 31 days, so a page holds at most about 15,500 records).
const Page = 500

// Monthly selects the employee-days of a monthly sheet and how to write it.
type Monthly struct {
	// EmployeeID or DepartmentID (with its sub-departments) selects the
	// employees.
	EmployeeID, DepartmentID string
	From, To                 rules.Date
	Format                   string // FormatCSV or FormatXLSX
	Lang                     string // LangEN or LangZH
}

// ParseMonthly reads a Monthly from a query: department_id or
// employee_id, from, to (default from; at most dayrec.MaxDays days),
// format (csv, the default, or xlsx) and lang (en or zh; default the
// first of acceptLanguage's that is one of them, else en). Bad values are
// wire.CodeInvalid.
func ParseMonthly(q url.Values, acceptLanguage string) (Monthly, error) {
	for k, vs := range q {
		for _, v := range vs {
			if !utf8.ValidString(k) || !utf8.ValidString(v) || strings.ContainsRune(k+v, 0) {
				return Monthly{}, wire.Errorf(wire.CodeInvalid, "the query must be UTF-8 text without NUL")
			}
		}
	}
	m := Monthly{EmployeeID: q.Get("employee_id"), DepartmentID: q.Get("department_id"), Format: q.Get("format"), Lang: q.Get("lang")}
	if (m.EmployeeID == "") == (m.DepartmentID == "") {
		return Monthly{}, wire.Errorf(wire.CodeInvalid, "give employee_id or department_id, one of them")
	}
	var err error
	if m.From, err = rules.ParseDate(q.Get("from")); err != nil {
		return Monthly{}, wire.Errorf(wire.CodeInvalid, "from must be a date such as 2026-11-01")
	}
	m.To = m.From
	if v := q.Get("to"); v != "" {
		if m.To, err = rules.ParseDate(v); err != nil {
			return Monthly{}, wire.Errorf(wire.CodeInvalid, "to must be a date such as 2026-11-30")
		}
	}
	if m.To < m.From || m.To.Sub(m.From) >= dayrec.MaxDays {
		return Monthly{}, wire.Errorf(wire.CodeInvalid, "from..to must be 1 to %d days", dayrec.MaxDays)
	}
	switch m.Format {
	case "":
		m.Format = FormatCSV
	case FormatCSV, FormatXLSX:
	default:
		return Monthly{}, wire.Errorf(wire.CodeInvalid, "format must be csv or xlsx")
	}
	switch m.Lang {
	case "":
		m.Lang = langOf(acceptLanguage)
	case LangEN, LangZH:
	default:
		return Monthly{}, wire.Errorf(wire.CodeInvalid, "lang must be en or zh")
	}
	return m, nil
}

// langOf is the first of en and zh an Accept-Language header names
// (weights are not weighed: browsers list by preference), else en.
func langOf(h string) string {
	for part := range strings.SplitSeq(h, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(tag)
		switch {
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			return LangZH
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return LangEN
		}
	}
	return LangEN
}

// ContentType is the MIME type of the format.
func (m Monthly) ContentType() string {
	if m.Format == FormatXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Filename is the name the sheet is offered under.
func (m Monthly) Filename() string {
	return fmt.Sprintf("attendance-%s-%s.%s", m.From, m.To, m.Format)
}

// Exporter writes exports from the day records of dayrec and the
// organisation of the store.
type Exporter struct {
	Days  *dayrec.Service
	Store store.Store
}

// WriteMonthly writes the monthly sheet m selects to w: a header row, then
// one row per employee-day, employees in id order, days by date. Nothing
// is written before the first page is computed, so an error of the
// selection (no such department) comes before any byte.
func (x *Exporter) WriteMonthly(ctx context.Context, w io.Writer, m Monthly) error {
	depts, err := x.Store.Departments(ctx)
	if err != nil {
		return err
	}
	sites, err := x.Store.Sites(ctx)
	if err != nil {
		return err
	}
	o := org{lang: m.Lang, dept: map[string]string{}, zone: map[string]*time.Location{}, emp: map[string]attendance.Employee{}}
	for _, d := range depts {
		o.dept[d.ID] = d.Name
	}
	for _, s := range sites {
		if loc, err := time.LoadLocation(s.Zone); err == nil && s.Zone != "" {
			o.zone[s.ID] = loc
		}
	}
	var sw sheetWriter
	if m.Format == FormatXLSX {
		sw, err = newXLSX(w)
	} else {
		sw = newCSV(w)
	}
	if err != nil {
		return err
	}
	defer sw.Close()
	if err := sw.Header(headers(m.Lang)); err != nil {
		return err
	}
	f := dayrec.Filter{EmployeeID: m.EmployeeID, DepartmentID: m.DepartmentID, From: m.From, To: m.To, Lean: true,
		Limit: max(1, min(Page, Page*31/(m.To.Sub(m.From)+1)))}
	var r row
	for {
		next, err := x.Days.Stream(ctx, f, dayrec.Sink{
			Employees: func(emps []attendance.Employee) error {
				clear(o.emp)
				for _, e := range emps {
					o.emp[e.ID] = e
				}
				return nil
			},
			Punch: func(*store.StoredPunch) error { return nil },
			Records: func(recs []rules.DayRecord) error {
				for i := range recs {
					o.fill(&r, &recs[i])
					if err := sw.Row(&r); err != nil {
						return err
					}
				}
				return nil
			},
		})
		if err != nil {
			return err
		}
		if next == "" {
			break
		}
		f.After = next
	}
	return sw.Finish()
}

// org is what a row shows of the organisation: department names, site
// zones and the current page's employees.
type org struct {
	lang string
	dept map[string]string
	zone map[string]*time.Location
	emp  map[string]attendance.Employee
}

// row is one employee-day as the sheet shows it.
type row struct {
	EmployeeID, Name, Department string
	Date                         rules.Date
	// DayType, Status and OvertimeType are words of the sheet's
	// language (Word).
	DayType, Status, Shift string
	// In and Out are the first in and last out as wall clocks of the
	// site's zone (in a time.UTC value); zero when missing.
	In, Out                                  time.Time
	LateMin, EarlyMin, WorkedMin, PresentMin int
	OvertimeMin                              int
	OvertimeType, Anomalies, Approvals       string
	approvalsBuf, anomaliesBuf               []byte
}

// fill sets r from rec.
func (o *org) fill(r *row, rec *rules.DayRecord) {
	e := o.emp[rec.EmployeeID]
	loc := o.zone[e.SiteID]
	if loc == nil {
		loc = time.UTC
	}
	*r = row{EmployeeID: rec.EmployeeID, Name: e.Name, Department: o.dept[e.DepartmentID], Date: rec.Date,
		DayType: Word(o.lang, string(rec.DayType)), Status: Word(o.lang, string(rec.Status)),
		LateMin: rec.LateMin, EarlyMin: rec.EarlyMin, WorkedMin: rec.WorkedMin, PresentMin: rec.PresentMin,
		OvertimeMin: rec.OvertimeMin, OvertimeType: Word(o.lang, string(rec.OvertimeType)),
		anomaliesBuf: r.anomaliesBuf[:0], approvalsBuf: r.approvalsBuf[:0]}
	if rec.Shift != nil {
		r.Shift = rec.Shift.Name
		if r.Shift == "" {
			r.Shift = rec.Shift.ID
		}
	}
	if rec.In != nil {
		r.In = wall(rec.In.Time, loc)
	}
	if rec.Out != nil {
		r.Out = wall(rec.Out.Time, loc)
	}
	for i, a := range rec.Anomalies {
		if i > 0 {
			r.anomaliesBuf = append(r.anomaliesBuf, ' ')
			r.approvalsBuf = append(r.approvalsBuf, ' ')
		}
		r.anomaliesBuf = append(r.anomaliesBuf, a.Code...)
		r.approvalsBuf = append(append(append(r.approvalsBuf, a.Approval.Kind...), ':'), a.Approval.State...)
	}
	r.Anomalies, r.Approvals = string(r.anomaliesBuf), string(r.approvalsBuf)
}

// wall is t's wall clock in loc as a time.UTC value: what a spreadsheet,
// which knows no zones, shows.
func wall(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}
