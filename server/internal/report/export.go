// Package report builds the exports of attendance as CSV or XLSX,
// streamed: the monthly attendance sheet (one row per employee-day), the
// punch details (one row per punch, with its evidence and flags), the
// overtime summary (one row per employee) and the anomaly list (one row
// per anomaly of an employee-day).
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

// Reports an export may be.
const (
	ReportMonthly   = "monthly"
	ReportPunches   = "punches"
	ReportOvertime  = "overtime"
	ReportAnomalies = "anomalies"
)

// sheets are the columns of each report.
var sheets = map[string][]column{
	ReportMonthly:   monthlyColumns,
	ReportPunches:   punchColumns,
	ReportOvertime:  overtimeColumns,
	ReportAnomalies: anomalyColumns,
}

// Page is how many employees an export reads at once (fewer for ranges
// longer than 31 days, so a page holds at most about 15,500 records).
const Page = 500

// Export selects the rows of a report and how to write them.
type Export struct {
	// Report is one of the Report constants.
	Report string
	// EmployeeID or DepartmentID (with its sub-departments) selects the
	// employees.
	EmployeeID, DepartmentID string
	From, To                 rules.Date
	Format                   string // FormatCSV or FormatXLSX
	Lang                     string // LangEN or LangZH
}

// Parse reads an Export of report from a query: department_id or
// employee_id, from, to (default from; at most dayrec.MaxDays days),
// format (csv, the default, or xlsx) and lang (en or zh; default the
// first of acceptLanguage's that is one of them, else en). Bad values are
// wire.CodeInvalid.
func Parse(report string, q url.Values, acceptLanguage string) (Export, error) {
	if _, ok := sheets[report]; !ok {
		return Export{}, wire.Errorf(wire.CodeInvalid, "no report %q", report)
	}
	sel, err := ParseSelection(q)
	if err != nil {
		return Export{}, err
	}
	m := Export{Report: report, EmployeeID: sel.EmployeeID, DepartmentID: sel.DepartmentID, From: sel.From, To: sel.To, Format: q.Get("format"), Lang: q.Get("lang")}
	switch m.Format {
	case "":
		m.Format = FormatCSV
	case FormatCSV, FormatXLSX:
	default:
		return Export{}, wire.Errorf(wire.CodeInvalid, "format must be csv or xlsx")
	}
	switch m.Lang {
	case "":
		m.Lang = langOf(acceptLanguage)
	case LangEN, LangZH:
	default:
		return Export{}, wire.Errorf(wire.CodeInvalid, "lang must be en or zh")
	}
	return m, nil
}

// Selection is the employees and the days an export (or a dashboard
// chart, package stats) is of.
type Selection struct {
	// EmployeeID or DepartmentID (with its sub-departments) selects the
	// employees, one of them.
	EmployeeID, DepartmentID string
	From, To                 rules.Date
}

// ParseSelection reads a Selection from a query: department_id or
// employee_id, from and to (default from; at most dayrec.MaxDays days).
// The whole query must be UTF-8 without NUL. Bad values are
// wire.CodeInvalid.
func ParseSelection(q url.Values) (Selection, error) {
	for k, vs := range q {
		for _, v := range vs {
			if !utf8.ValidString(k) || !utf8.ValidString(v) || strings.ContainsRune(k+v, 0) {
				return Selection{}, wire.Errorf(wire.CodeInvalid, "the query must be UTF-8 text without NUL")
			}
		}
	}
	m := Selection{EmployeeID: q.Get("employee_id"), DepartmentID: q.Get("department_id")}
	if (m.EmployeeID == "") == (m.DepartmentID == "") {
		return Selection{}, wire.Errorf(wire.CodeInvalid, "give employee_id or department_id, one of them")
	}
	var err error
	if m.From, err = rules.ParseDate(q.Get("from")); err != nil {
		return Selection{}, wire.Errorf(wire.CodeInvalid, "from must be a date such as 2026-11-01")
	}
	m.To = m.From
	if v := q.Get("to"); v != "" {
		if m.To, err = rules.ParseDate(v); err != nil {
			return Selection{}, wire.Errorf(wire.CodeInvalid, "to must be a date such as 2026-11-30")
		}
	}
	if m.To < m.From || m.To.Sub(m.From) >= dayrec.MaxDays {
		return Selection{}, wire.Errorf(wire.CodeInvalid, "from..to must be 1 to %d days", dayrec.MaxDays)
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
func (e Export) ContentType() string {
	if e.Format == FormatXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Filename is the name the export is offered under: the monthly sheet
// attendance-FROM-TO, the others by their report's name.
func (e Export) Filename() string {
	name := e.Report
	if name == ReportMonthly {
		name = "attendance"
	}
	return fmt.Sprintf("%s-%s-%s.%s", name, e.From, e.To, e.Format)
}

// Exporter writes exports from the day records of dayrec, the punches and
// the organisation of the store.
type Exporter struct {
	Days  *dayrec.Service
	Store store.Store
	// Progress, when set, is called after each page of employees with
	// the number the page held (an export job's progress); its error
	// stops the export.
	Progress func(employees int) error
}

// Count is the number of employees e goes through (what Progress adds up
// to), counted before any is evaluated. A monthly sheet as XLSX with more
// employee-days than a sheet holds is wire.CodeInvalid.
func (x *Exporter) Count(ctx context.Context, e Export) (int, error) {
	f := e.filter()
	f.Limit = 0
	emps, _, err := x.Days.Employees(ctx, f)
	if err != nil {
		return 0, err
	}
	if e.Format == FormatXLSX && e.Report == ReportMonthly && len(emps)*(e.To.Sub(e.From)+1) > maxXLSXRows {
		return 0, errTooManyRows()
	}
	return len(emps), nil
}

// Write writes the export e selects to w: a header row, then its rows
// (see the Report constants). Nothing is written before the first page
// is computed, so an error of the selection (no such department, more
// rows than XLSX holds) comes before any byte.
func (x *Exporter) Write(ctx context.Context, w io.Writer, e Export) error {
	o, err := x.org(ctx, e.Lang)
	if err != nil {
		return err
	}
	if e.Format == FormatXLSX && e.Report == ReportMonthly {
		// One row per employee-day: counted before a byte is written.
		if _, err := x.Count(ctx, e); err != nil {
			return err
		}
	}
	cols := sheets[e.Report]
	sw, err := newSheet(w, e.Format, len(cols))
	if err != nil {
		return err
	}
	defer sw.Close()
	if err := sw.Header(headers(cols, e.Lang)); err != nil {
		return err
	}
	r := make([]cell, len(cols))
	switch e.Report {
	case ReportPunches:
		err = x.punches(ctx, sw, o, e, r)
	case ReportOvertime:
		err = x.overtime(ctx, sw, o, e, r)
	case ReportAnomalies:
		err = x.eachRecord(ctx, o, e, func(rec *rules.DayRecord) error { return o.anomalies(sw, r, rec) })
	default:
		err = x.eachRecord(ctx, o, e, func(rec *rules.DayRecord) error { return sw.Row(o.monthly(r, rec)) })
	}
	if err != nil {
		return err
	}
	return sw.Finish()
}

// filter is the dayrec selection of e's employees and days, a page of
// employees at a time (fewer for ranges longer than 31 days); lean but
// for the punch details, which show the punches' hashes.
func (e Export) filter() dayrec.Filter {
	return dayrec.Filter{EmployeeID: e.EmployeeID, DepartmentID: e.DepartmentID, From: e.From, To: e.To, Lean: e.Report != ReportPunches,
		Limit: max(1, min(Page, Page*31/(e.To.Sub(e.From)+1)))}
}

// org reads the departments' names and the sites' zones.
func (x *Exporter) org(ctx context.Context, lang string) (*org, error) {
	depts, err := x.Store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	sites, err := x.Store.Sites(ctx)
	if err != nil {
		return nil, err
	}
	o := &org{lang: lang, dept: map[string]string{}, zone: map[string]*time.Location{}, site: map[string]string{}, emp: map[string]attendance.Employee{}}
	for _, d := range depts {
		o.dept[d.ID] = d.Name
	}
	for _, s := range sites {
		o.site[s.ID] = s.Name
		if loc, err := time.LoadLocation(s.Zone); err == nil && s.Zone != "" {
			o.zone[s.ID] = loc
		}
	}
	return o, nil
}

// eachPage streams e's employees a page at a time through dayrec, the
// page's employees into o first, and calls done, when given, after each
// page (while o still holds its employees).
func (x *Exporter) eachPage(ctx context.Context, o *org, e Export, sink dayrec.Sink, done func() error) error {
	f := e.filter()
	sink.Employees = func(emps []attendance.Employee) error {
		clear(o.emp)
		for _, e := range emps {
			o.emp[e.ID] = e
		}
		return nil
	}
	if sink.Punch == nil {
		sink.Punch = func(*store.StoredPunch) error { return nil }
	}
	for {
		next, err := x.Days.Stream(ctx, f, sink)
		if err == nil && done != nil {
			err = done()
		}
		if err == nil && x.Progress != nil {
			err = x.Progress(len(o.emp))
		}
		if err != nil || next == "" {
			return err
		}
		f.After = next
	}
}

// eachRecord hands each of e's employee-days to fn, employees in id
// order, days by date.
func (x *Exporter) eachRecord(ctx context.Context, o *org, e Export, fn func(rec *rules.DayRecord) error) error {
	return x.eachPage(ctx, o, e, dayrec.Sink{Records: func(recs []rules.DayRecord) error {
		for i := range recs {
			if err := fn(&recs[i]); err != nil {
				return err
			}
		}
		return nil
	}}, nil)
}

// org is what a row shows of the organisation: department and site
// names, site zones and the current page's employees.
type org struct {
	lang string
	dept map[string]string
	site map[string]string
	zone map[string]*time.Location
	emp  map[string]attendance.Employee
}

// who sets the first three cells of r, employee id, name and
// department, to the employee's, and returns the employee's zone.
func (o *org) who(r []cell, id string) *time.Location {
	e := o.emp[id]
	r[0], r[1], r[2] = textCell(id), textCell(e.Name), textCell(o.dept[e.DepartmentID])
	if loc := o.zone[e.SiteID]; loc != nil {
		return loc
	}
	return time.UTC
}

// wall is t's wall clock in loc as a time.UTC value: what a spreadsheet,
// which knows no zones, shows.
func wall(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}
