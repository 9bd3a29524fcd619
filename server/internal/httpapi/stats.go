package httpapi

import (
	"encoding/json"
	"net/http"

	"punchclock/app/chart"
	"punchclock/server/internal/stats"
)

// reportStats answers GET /report/stats/{chart}: one of the dashboard's
// charts (package stats) of an employee or a department (with its
// sub-departments) over from..to, for those who may read the same
// records through GET /attendance/record. With reason, the anomalies
// chart answers the employee-days behind that reason instead, written
// as they are computed.
func (s *Server) reportStats(w http.ResponseWriter, r *http.Request) error {
	q, err := stats.Parse(r.PathValue("chart"), r.URL.Query())
	if err != nil {
		return err
	}
	if err := s.allowRecords(r, q.EmployeeID, q.DepartmentID); err != nil {
		return err
	}
	svc := stats.Service{Days: s.Days, Store: s.Store}
	if q.Reason == "" {
		a, err := svc.Compute(r.Context(), q)
		if err != nil {
			return storeErr(err)
		}
		return writeJSON(w, http.StatusOK, a)
	}
	// {"chart":"anomalies",...,"reason":"late","days":[...]}, each
	// employee-day written as found; the status goes with the first byte.
	head, err := json.Marshal(chart.Base{Chart: q.Chart, From: q.From, To: q.To, EmployeeID: q.EmployeeID, DepartmentID: q.DepartmentID})
	if err != nil {
		return err
	}
	reason, _ := json.Marshal(q.Reason)
	lw := &lazyWriter{w: w, start: func(h http.Header) {
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-store")
	}}
	buf := append(append(append(head[:len(head)-1:len(head)-1], `,"reason":`...), reason...), `,"days":[`...)
	n := 0
	err = svc.Reason(r.Context(), q, func(d chart.EmployeeDay) error {
		if n > 0 {
			buf = append(buf, ',')
		}
		n++
		j, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if buf = append(buf, j...); len(buf) >= 32<<10 {
			_, err = lw.Write(buf)
			buf = buf[:0]
		}
		return err
	})
	if err != nil {
		if !lw.started {
			return storeErr(err)
		}
		return nil
	}
	_, err = lw.Write(append(buf, "]}\n"...))
	return err
}

// reportStatsAll answers GET /report/stats: the dashboard's charts named
// by charts (default all), of the same selection as GET
// /report/stats/{chart}, computed in one pass over the records and
// answered as {"trend":{...},"ranking":{...},...}.
func (s *Server) reportStatsAll(w http.ResponseWriter, r *http.Request) error {
	q, names, err := stats.ParseAll(r.URL.Query())
	if err != nil {
		return err
	}
	if err := s.allowRecords(r, q.EmployeeID, q.DepartmentID); err != nil {
		return err
	}
	all, err := (&stats.Service{Days: s.Days, Store: s.Store}).ComputeAll(r.Context(), q, names)
	if err != nil {
		return storeErr(err)
	}
	return writeJSON(w, http.StatusOK, all)
}
