package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/facematch"
	"punchclock/server/internal/store"
)

// --- punches ---

type punchesPage struct {
	Punches []punchView `json:"punches"`
	// Next is the cursor of the next page ("" on the last).
	Next string `json:"next,omitempty"`
}

// punchView is a stored punch as the API shows it.
type punchView struct {
	attendance.Punch
	TrueTime   time.Time `json:"true_time"`
	ReceivedAt time.Time `json:"received_at"`
	Status     string    `json:"status"`
	Flags      []string  `json:"flags,omitempty"`
	Addr       string    `json:"addr,omitempty"`
	// FaceAudit is a face punch's verdict with its distances, opened
	// from the sealed envelope in its evidence.
	FaceAudit *facematch.AuditRecord `json:"face_audit_record,omitempty"`
	Hash      string                 `json:"hash"`
	// Signed and Sig are the body as the device signed it and its
	// signature: the evidence, left out of day-record answers unless
	// asked for (evidence=true).
	Signed json.RawMessage `json:"signed_body,omitempty"`
	Sig    []byte          `json:"sig,omitempty"`
}

// view shows a stored punch; a face punch's sealed verdict is opened.
func (s *Server) view(p store.StoredPunch) punchView {
	v := view(p)
	if key := s.Punches.FaceAuditKey; key != nil && p.Evidence.FaceAudit != "" {
		if rec, err := facematch.OpenAudit(key, p.Evidence.FaceAudit); err == nil {
			v.FaceAudit = &rec
		}
	}
	return v
}

func view(p store.StoredPunch) punchView {
	return punchView{Punch: p.Punch, TrueTime: p.TrueTime, ReceivedAt: p.ReceivedAt, Status: p.Status,
		Flags: p.Flags, Addr: p.Addr, Hash: p.Hash, Signed: p.Body, Sig: p.Sig}
}

func (s *Server) listPunches(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.PunchFilter{EmployeeID: q.Get("employee_id"), SiteID: q.Get("site_id"), DeviceID: q.Get("device_id"), Limit: 500}
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	if sc != nil {
		// A person lists one employee's punches at a time.
		if f.EmployeeID == "" {
			return wire.Errorf(wire.CodeInvalid, "give employee_id")
		}
		if err := s.allowEmployee(r.Context(), sc, f.EmployeeID); err != nil {
			return err
		}
	}
	if f.From, err = parseTime(q.Get("from"), "from"); err != nil {
		return err
	}
	if f.To, err = parseTime(q.Get("to"), "to"); err != nil {
		return err
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5000 {
			return wire.Errorf(wire.CodeInvalid, "limit must be a number from 1 to 5000")
		}
		f.Limit = n
	}
	if c := q.Get("cursor"); c != "" {
		msPart, id, ok := strings.Cut(c, "_")
		n, err := strconv.ParseInt(msPart, 10, 64)
		if !ok || err != nil || !attendance.IsUUIDv7(id) {
			return wire.Errorf(wire.CodeInvalid, "cursor %q is not one this API gave", c)
		}
		f.AfterTime, f.AfterID = time.UnixMilli(n), id
	}
	ps, err := s.Store.Punches(r.Context(), f)
	if err != nil {
		return storeErr(err)
	}
	page := punchesPage{Punches: make([]punchView, 0, len(ps))}
	for _, p := range ps {
		page.Punches = append(page.Punches, s.view(p))
	}
	if len(ps) == f.Limit {
		last := ps[len(ps)-1]
		page.Next = fmt.Sprintf("%d_%s", last.TrueTime.UnixMilli(), last.ID)
	}
	return writeJSON(w, http.StatusOK, page)
}

func (s *Server) getPunch(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	p, err := s.Store.Punch(r.Context(), r.PathValue("id"))
	if sc != nil && (errors.Is(err, store.ErrNotFound) || err == nil && s.allowEmployee(r.Context(), sc, p.EmployeeID) != nil) {
		return errNotAllowed
	}
	if err != nil {
		return storeErr(err)
	}
	return writeJSON(w, http.StatusOK, s.view(p))
}
