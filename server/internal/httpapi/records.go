package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"punchclock/app/wire"
	"punchclock/server/internal/dayrec"
)

// Paging of GET /attendance/record: employees per page by default and at
// most. A page of 500 employees over 31 days is about 15,000 records.
const (
	RecordPage    = 500
	MaxRecordPage = 2000
)

// attendanceRecord answers GET /attendance/record: the day records of an
// employee or a department (with its sub-departments) and the punches
// they were computed from, a page of employees at a time (limit, default
// 500; next_cursor, when present, asks for the next page). A punch's
// signed body and signature come only with evidence=true. The answer is
// written record by record, so punchd never holds it whole.
func (s *Server) attendanceRecord(w http.ResponseWriter, r *http.Request) error {
	from, to, err := dateRange(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := dayrec.Filter{EmployeeID: q.Get("employee_id"), DepartmentID: q.Get("department_id"), From: from, To: to, After: q.Get("cursor"), Limit: RecordPage}
	if f.EmployeeID == "" && f.DepartmentID == "" {
		return wire.Errorf(wire.CodeInvalid, "give employee_id or department_id")
	}
	if err := s.allowRecords(r, f.EmployeeID, f.DepartmentID); err != nil {
		return err
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > MaxRecordPage {
			return wire.Errorf(wire.CodeInvalid, "limit must be a number of employees from 1 to %d", MaxRecordPage)
		}
	}
	evidence := false
	if v := q.Get("evidence"); v != "" {
		if evidence, err = strconv.ParseBool(v); err != nil {
			return wire.Errorf(wire.CodeInvalid, "evidence must be true or false")
		}
	}
	res, err := s.Days.Records(r.Context(), f)
	if err != nil {
		return storeErr(err)
	}
	// From here on the status is sent: an error can only cut the answer
	// short, which the client sees as malformed JSON.
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	list := func(key string, n int, item func(i int) any) error {
		if _, err := fmt.Fprintf(w, "%q:[", key); err != nil {
			return err
		}
		for i := range n {
			if i > 0 {
				if _, err := w.Write([]byte{','}); err != nil {
					return err
				}
			}
			if err := enc.Encode(item(i)); err != nil {
				return err
			}
		}
		_, err := w.Write([]byte{']'})
		return err
	}
	if _, err := w.Write([]byte{'{'}); err != nil {
		return nil
	}
	if list("records", len(res.Records), func(i int) any { return &res.Records[i] }) != nil {
		return nil
	}
	w.Write([]byte{','})
	if list("punches", len(res.Punches), func(i int) any {
		v := s.view(res.Punches[i])
		if !evidence {
			v.Signed, v.Sig = nil, nil
		}
		return &v
	}) != nil {
		return nil
	}
	if res.Next != "" {
		next, _ := json.Marshal(res.Next)
		fmt.Fprintf(w, `,"next_cursor":%s`, next)
	}
	w.Write([]byte("}\n"))
	return nil
}
