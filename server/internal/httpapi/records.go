package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"punchclock/app/attendance"
	"punchclock/app/jsonenc"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/store"
)

// Paging of GET /attendance/record: employees per page by default and at
// most, and employee-days per page at most (a range longer than 31 days
// has fewer employees a page). A page of 500 employees over 31 days is
// about 15,000 records.
const (
	RecordPage     = 500
	MaxRecordPage  = 2000
	MaxRecordsPage = MaxRecordPage * 31
)

// attendanceRecord answers GET /attendance/record: the day records of an
// employee or a department (with its sub-departments), a page of employees
// at a time (limit, default 500; next_cursor, when present, asks for the
// next page). reasons=en, zh or code writes each reason's English text,
// its Chinese text or neither beside its code, in place of both. With
// punches=true the answer also lists the punches they
// were computed from, and with evidence=true (which implies punches) each
// with its signed body and signature. Records name the punches they use;
// a report wants only them, as WeCom's day data (getcheckin_daydata) is
// apart from its punch records (getcheckindata), and without the punches
// punchd reads a company's month from the per-employee digests the store
// keeps (store.PunchFilter.Lean).
//
// The answer is written as it is computed: the punches as they are read
// from the store, then the records as the engine hands them out, employee
// by employee. punchd holds what the engine reads of a page's punches and
// the records of a few chunks of employees, never the answer.
func (s *Server) attendanceRecord(w http.ResponseWriter, r *http.Request) error {
	from, to, err := dateRange(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if q.Has("changes") {
		return s.recordChanges(w, r, from, to)
	}
	maxLimit := min(MaxRecordPage, MaxRecordsPage/(to.Sub(from)+1))
	f := dayrec.Filter{EmployeeID: q.Get("employee_id"), DepartmentID: q.Get("department_id"), From: from, To: to, After: q.Get("cursor"), Limit: min(RecordPage, maxLimit)}
	if f.EmployeeID == "" && f.DepartmentID == "" {
		return wire.Errorf(wire.CodeInvalid, "give employee_id or department_id")
	}
	if err := s.allowRecords(r, f.EmployeeID, f.DepartmentID); err != nil {
		return err
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > maxLimit {
			return wire.Errorf(wire.CodeInvalid, "limit must be a number of employees from 1 to %d (a page has at most %d employee-days)", maxLimit, MaxRecordsPage)
		}
	}
	if v := q.Get("evidence"); v != "" {
		if f.Evidence, err = strconv.ParseBool(v); err != nil {
			return wire.Errorf(wire.CodeInvalid, "evidence must be true or false")
		}
	}
	withPunches := f.Evidence
	if v := q.Get("punches"); v != "" {
		if withPunches, err = strconv.ParseBool(v); err != nil {
			return wire.Errorf(wire.CodeInvalid, "punches must be true or false")
		}
		if !withPunches && f.Evidence {
			return wire.Errorf(wire.CodeInvalid, "evidence=true lists the punches: it cannot go with punches=false")
		}
	}
	// Without the punches, the engine's part of each is all punchd reads.
	f.Lean = !withPunches
	lang, err := reasonsLang(q.Get("reasons"))
	if err != nil {
		return err
	}
	// The status is sent with the first punch or record: an error after
	// it can only cut the answer short, which the client sees as
	// malformed JSON.
	rw := &recordWriter{w: w, punches: withPunches}
	next, err := s.Days.Stream(r.Context(), f, dayrec.Sink{
		Punch: func(p *store.StoredPunch) error {
			if !withPunches {
				return nil
			}
			v := s.view(*p)
			return rw.item(false, func(b []byte) ([]byte, error) {
				if b, ok := v.appendJSON(b); ok {
					return b, nil
				}
				j, err := json.Marshal(&v)
				return append(b, j...), err
			})
		},
		Records: func(recs []rules.DayRecord) error {
			for i := range recs {
				err := rw.item(true, func(b []byte) ([]byte, error) { return recs[i].AppendJSONLang(b, lang), nil })
				if err != nil {
					return err
				}
			}
			return nil
		},
	})
	if err != nil && !rw.started {
		return storeErr(err)
	}
	if err != nil {
		return nil
	}
	rw.toRecords()
	rw.buf = append(rw.buf, ']')
	if next != "" {
		rw.buf = append(rw.buf, `,"next_cursor":`...)
		rw.buf = jsonenc.String(rw.buf, next)
	}
	rw.buf = append(rw.buf, "}\n"...)
	rw.flush()
	return nil
}

// recordWriter writes the answer of attendanceRecord through a buffer:
// {"punches":[...],"records":[...]...}, without the punches unless asked.
// The status and headers go with the first write.
type recordWriter struct {
	w         http.ResponseWriter
	punches   bool // the answer lists the punches
	buf       []byte
	started   bool
	inRecords bool
	n         int // items in the current list
}

// start sends the status and headers and opens the punches, once.
func (rw *recordWriter) start() {
	if rw.started {
		return
	}
	rw.started = true
	h := rw.w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	rw.w.WriteHeader(http.StatusOK)
	if rw.punches {
		rw.buf = append(rw.buf, `{"punches":[`...)
	} else {
		rw.buf = append(rw.buf, '{')
	}
}

// toRecords closes the punches and opens the records, once.
func (rw *recordWriter) toRecords() {
	rw.start()
	if !rw.inRecords {
		rw.inRecords, rw.n = true, 0
		if rw.punches {
			rw.buf = append(rw.buf, `],`...)
		}
		rw.buf = append(rw.buf, `"records":[`...)
	}
}

// item adds a punch (record false) or a record, appended by add, to its
// list, writing the buffer out when full. Punches come first.
func (rw *recordWriter) item(record bool, add func([]byte) ([]byte, error)) error {
	rw.start()
	if record {
		rw.toRecords()
	}
	if rw.n > 0 {
		rw.buf = append(rw.buf, ',')
	}
	rw.n++
	b, err := add(rw.buf)
	if err != nil {
		return err
	}
	rw.buf = append(b, '\n')
	if len(rw.buf) >= 64<<10 {
		return rw.flush()
	}
	return nil
}

func (rw *recordWriter) flush() error {
	_, err := rw.w.Write(rw.buf)
	rw.buf = rw.buf[:0]
	return err
}

// appendJSON appends v's JSON as encoding/json writes it, for a view
// without evidence or face audit (false otherwise: encode those with
// encoding/json).
func (v *punchView) appendJSON(b []byte) ([]byte, bool) {
	if v.Signed != nil || v.Sig != nil || v.FaceAudit != nil {
		return b, false
	}
	p := &v.Punch
	b = append(b, `{"id":`...)
	b = jsonenc.String(b, p.ID)
	b = append(b, `,"employee_id":`...)
	b = jsonenc.String(b, p.EmployeeID)
	b = append(b, `,"device_id":`...)
	b = jsonenc.String(b, p.DeviceID)
	if p.SiteID != "" {
		b = append(b, `,"site_id":`...)
		b = jsonenc.String(b, p.SiteID)
	}
	b = append(b, `,"method":`...)
	b = jsonenc.String(b, string(p.Method))
	if p.Direction != "" {
		b = append(b, `,"direction":`...)
		b = jsonenc.String(b, string(p.Direction))
	}
	b = append(b, `,"device_time":`...)
	b = jsonenc.Time(b, p.DeviceTime)
	if !p.EstTime.IsZero() {
		b = append(b, `,"est_time":`...)
		b = jsonenc.Time(b, p.EstTime)
	}
	if p.OffsetMS != 0 {
		b = append(b, `,"offset_ms":`...)
		b = jsonenc.Int(b, p.OffsetMS)
	}
	if p.OffsetAgeS != 0 {
		b = append(b, `,"offset_age_s":`...)
		b = jsonenc.Int(b, p.OffsetAgeS)
	}
	if l := p.Location; l != nil {
		b = append(b, `,"location":{"lat":`...)
		b = jsonenc.Float(b, l.Lat)
		b = append(b, `,"lng":`...)
		b = jsonenc.Float(b, l.Lng)
		if l.AccuracyM != 0 {
			b = append(b, `,"accuracy_m":`...)
			b = jsonenc.Float(b, l.AccuracyM)
		}
		if l.Datum != "" {
			b = append(b, `,"datum":`...)
			b = jsonenc.String(b, l.Datum)
		}
		b = append(b, '}')
	}
	if e := p.Evidence; e != (attendance.Evidence{}) {
		b = append(b, `,"evidence":{`...)
		sep := false
		for _, f := range [...]struct{ k, v string }{{"badge_code", e.BadgeCode}, {"face_verdict_id", e.FaceID}, {"face_audit", e.FaceAudit}, {"qr_token", e.QRToken}, {"note", e.Note}} {
			if f.v == "" {
				continue
			}
			if sep {
				b = append(b, ',')
			}
			sep = true
			b = jsonenc.Key(b, f.k)
			b = jsonenc.String(b, f.v)
		}
		b = append(b, '}')
	}
	b = append(b, `,"seq":`...)
	b = jsonenc.Uint(b, p.Seq)
	if p.Prev != "" {
		b = append(b, `,"prev":`...)
		b = jsonenc.String(b, p.Prev)
	}
	b = append(b, `,"true_time":`...)
	b = jsonenc.Time(b, v.TrueTime)
	b = append(b, `,"received_at":`...)
	b = jsonenc.Time(b, v.ReceivedAt)
	b = append(b, `,"status":`...)
	b = jsonenc.String(b, v.Status)
	if len(v.Flags) > 0 {
		b = append(b, `,"flags":[`...)
		for i, f := range v.Flags {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.String(b, f)
		}
		b = append(b, ']')
	}
	if v.Addr != "" {
		b = append(b, `,"addr":`...)
		b = jsonenc.String(b, v.Addr)
	}
	b = append(b, `,"hash":`...)
	b = jsonenc.String(b, v.Hash)
	return append(b, '}'), true
}

// reasonsLang reads the reasons parameter: the language of each reason's
// text beside its code (rules.ReasonsBoth when empty).
func reasonsLang(v string) (string, error) {
	switch v {
	case "":
		return rules.ReasonsBoth, nil
	case rules.ReasonsBoth, rules.ReasonsEN, rules.ReasonsZH, rules.ReasonsCode:
		return v, nil
	}
	return "", wire.Errorf(wire.CodeInvalid, "reasons must be both, en, zh or code")
}
