package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"punchclock/app/wire"
)

// auditEntry is an audit log entry on the wire.
type auditEntry struct {
	Seq    int64           `json:"seq"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Target string          `json:"target"`
	Unit   string          `json:"unit,omitempty"`
	Detail json.RawMessage `json:"detail"`
	Prev   string          `json:"prev"`
	Hash   string          `json:"hash"`
}

type auditPage struct {
	Entries []auditEntry `json:"entries"`
	// Next is the after= of the next page ("" on the last).
	Next string `json:"next,omitempty"`
}

// listAudit answers GET /api/v1/admin/audit?after=SEQ&limit=N: the audit
// log in chain order, with each entry's hashes so a reader can check the
// chain (`punchd audit verify` does it on the database).
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	after, limit := int64(0), 100
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return wire.Errorf(wire.CodeInvalid, "after must be an entry number (0 or more)")
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return wire.Errorf(wire.CodeInvalid, "limit must be between 1 and 1000")
		}
		limit = n
	}
	es, err := s.Store.AuditEntries(r.Context(), after, limit+1)
	if err != nil {
		return storeErr(err)
	}
	page := auditPage{Entries: []auditEntry{}}
	if len(es) > limit {
		es = es[:limit]
		page.Next = strconv.FormatInt(es[limit-1].Seq, 10)
	}
	for _, e := range es {
		page.Entries = append(page.Entries, auditEntry{Seq: e.Seq, At: e.At.UTC(), Actor: e.Actor, Action: e.Action, Target: e.Target, Unit: e.Unit, Detail: e.Detail, Prev: e.Prev, Hash: e.Hash})
	}
	return writeJSON(w, http.StatusOK, page)
}
