package httpapi

import (
	"errors"
	"net/http"

	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/orgimport"
	"punchclock/server/internal/store"
)

// MaxImport is the largest spreadsheet an import takes (4 MiB: 20,000
// rows of CSV fit, and XLSX is compressed).
const MaxImport = MaxBatchBody

// ActionImport is the audit action of an import that wrote employees.
const ActionImport = "employees.import"

// importEmployees answers POST /api/v1/employees/import: the body is a
// CSV or XLSX file. With dry_run=true it only checks; otherwise it
// writes every row in one transaction if no row has a problem. Admins
// import anyone; HR only into its unit and only its unit's employees.
func (s *Server) importEmployees(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.writerScope(r)
	if err != nil {
		return err
	}
	dry := r.URL.Query().Get("dry_run") == "true"
	body, err := readBody(w, r, MaxImport)
	if err != nil {
		return err
	}
	sheet, err := orgimport.Read(body)
	if errors.Is(err, orgimport.ErrFormat) {
		return wire.Errorf(wire.CodeInvalid, "%v", err)
	} else if err != nil {
		return err
	}
	var org orgimport.Org
	if org.Departments, err = s.Store.Departments(r.Context()); err != nil {
		return storeErr(err)
	}
	if org.Sites, err = s.Store.Sites(r.Context()); err != nil {
		return storeErr(err)
	}
	if org.Employees, err = s.Store.Employees(r.Context(), store.EmployeeFilter{}); err != nil {
		return storeErr(err)
	}
	if sc != nil {
		org.May = sc.Department
		org.MayChange = sc.Employee
	}
	xs, problems := orgimport.Check(sheet, org)
	stored := map[string]bool{}
	for _, e := range org.Employees {
		stored[e.ID] = true
	}
	rep := wire.ImportReport{DryRun: dry, Rows: len(sheet.Rows), Valid: len(xs), Problems: problems, Notes: sheet.Notes}
	if rep.Problems == nil {
		rep.Problems = []orgimport.Problem{}
	}
	if rep.Notes == nil {
		rep.Notes = []orgimport.Problem{}
	}
	for _, e := range xs {
		if stored[e.ID] {
			rep.Changed++
		} else {
			rep.New++
		}
	}
	if dry || len(problems) > 0 || len(xs) == 0 {
		return writeJSON(w, http.StatusOK, rep)
	}
	if _, err := s.Store.PutEmployees(r.Context(), xs); err != nil {
		return storeErr(err)
	}
	rep.Written = len(xs)
	unit := ""
	if sc != nil {
		unit = callerOf(r).User.Unit
	}
	s.record(r, audit.Event{Actor: actor(r), Action: ActionImport, Target: "employees", Unit: unit,
		Detail: map[string]int{"new": rep.New, "changed": rep.Changed}})
	return writeJSON(w, http.StatusOK, rep)
}
