package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/store"
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
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > MaxRecordPage {
			return wire.Errorf(wire.CodeInvalid, "limit must be a number of employees from 1 to %d", MaxRecordPage)
		}
	}
	if v := q.Get("evidence"); v != "" {
		if f.Evidence, err = strconv.ParseBool(v); err != nil {
			return wire.Errorf(wire.CodeInvalid, "evidence must be true or false")
		}
	}
	// The page's punches are encoded as they are read, the records
	// written as the engine hands them out, employee by employee; the
	// punches follow. The status is sent with the first record: an error
	// after it can only cut the answer short, which the client sees as
	// malformed JSON.
	rw := &recordWriter{w: w}
	rw.enc = json.NewEncoder(&rw.buf)
	var punches bytes.Buffer
	penc := json.NewEncoder(&punches)
	next, err := s.Days.Stream(r.Context(), f, dayrec.Sink{
		Punch: func(p *store.StoredPunch) error {
			if punches.Len() > 0 {
				punches.WriteByte(',')
			}
			v := s.view(*p)
			return penc.Encode(&v)
		},
		Records: func(recs []rules.DayRecord) error {
			for i := range recs {
				if err := rw.item(&recs[i]); err != nil {
					return err
				}
			}
			return nil
		},
	})
	if err != nil && !rw.started {
		return storeErr(err)
	}
	if err != nil || rw.start() != nil {
		return nil
	}
	rw.buf.WriteString(`],"punches":[`)
	if rw.flush() != nil {
		return nil
	}
	if _, err := punches.WriteTo(w); err != nil {
		return nil
	}
	rw.buf.WriteByte(']')
	if next != "" {
		b, _ := json.Marshal(next)
		rw.buf.WriteString(`,"next_cursor":`)
		rw.buf.Write(b)
	}
	rw.buf.WriteString("}\n")
	rw.flush()
	return nil
}

// recordWriter writes the answer of attendanceRecord through a buffer,
// starting it (status and headers) on the first write.
type recordWriter struct {
	w       http.ResponseWriter
	buf     bytes.Buffer
	enc     *json.Encoder
	started bool
	n       int // records written
}

// start sends the status and the opening of the records list, once.
func (rw *recordWriter) start() error {
	if rw.started {
		return nil
	}
	rw.started = true
	h := rw.w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	rw.w.WriteHeader(http.StatusOK)
	_, err := io.WriteString(rw.w, `{"records":[`)
	return err
}

// item adds v to the current list, writing the buffer out when full.
func (rw *recordWriter) item(v any) error {
	if err := rw.start(); err != nil {
		return err
	}
	if rw.n > 0 {
		rw.buf.WriteByte(',')
	}
	rw.n++
	if err := rw.enc.Encode(v); err != nil {
		return err
	}
	if rw.buf.Len() >= 64<<10 {
		return rw.flush()
	}
	return nil
}

func (rw *recordWriter) flush() error {
	_, err := rw.w.Write(rw.buf.Bytes())
	rw.buf.Reset()
	return err
}
