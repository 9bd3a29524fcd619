package httpapi

import (
	"mime"
	"net/http"

	"punchclock/server/internal/audit"
	"punchclock/server/internal/report"
)

// exportReport answers GET /report/monthly, /report/punches,
// /report/overtime and /report/anomalies: the export the path names
// (package report) of an employee or a department (with its
// sub-departments) as CSV or XLSX, for those who may read the same
// records through GET /attendance/record. The export is audited before it
// starts (who, what, which scope). The sheet is written as it is
// computed; an error before the first byte is an error answer, one after
// it cuts the file short.
func (s *Server) exportReport(name string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error { return s.export(w, r, name) }
}

func (s *Server) export(w http.ResponseWriter, r *http.Request, name string) error {
	m, err := report.Parse(name, r.URL.Query(), r.Header.Get("Accept-Language"))
	if err != nil {
		return err
	}
	if err := s.allowRecords(r, m.EmployeeID, m.DepartmentID); err != nil {
		return err
	}
	s.auditExport(r, m, "")
	x := report.Exporter{Days: s.Days, Store: s.Store}
	lw := &lazyWriter{w: w, start: func(h http.Header) {
		h.Set("Content-Type", m.ContentType())
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": m.Filename()}))
		h.Set("Cache-Control", "no-store")
	}}
	if err := x.Write(r.Context(), lw, m); err != nil && !lw.started {
		return storeErr(err)
	}
	return nil
}

// auditExport records an export (of job, when not "") as report.export:
// who, which report, of whom, which days, in which format.
func (s *Server) auditExport(r *http.Request, m report.Export, job string) {
	unit, target := m.DepartmentID, "department:"+m.DepartmentID
	if m.EmployeeID != "" {
		target = "employee:" + m.EmployeeID
		if e, err := s.Store.Employee(r.Context(), m.EmployeeID); err == nil {
			unit = e.DepartmentID
		}
	}
	detail := map[string]string{"report": m.Report, "from": m.From.String(), "to": m.To.String(), "format": m.Format, "lang": m.Lang}
	if job != "" {
		detail["job"] = job
	}
	s.record(r, audit.Event{Actor: actor(r), Action: "report.export", Target: target, Unit: unit, Detail: detail})
}

// lazyWriter sends the status and headers with the first byte written, so
// an error before it can still be answered as one.
type lazyWriter struct {
	w       http.ResponseWriter
	start   func(http.Header)
	started bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.start(l.w.Header())
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(p)
}
