package httpapi

import (
	"encoding/json"
	"net/http"

	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/dayrec"
)

// --- attendance records and rules ---

// dateRange reads from and to (YYYY-MM-DD, business days in the site's
// zone); to defaults to from.
func dateRange(r *http.Request) (rules.Date, rules.Date, error) {
	q := r.URL.Query()
	from, err := rules.ParseDate(q.Get("from"))
	if err != nil {
		return 0, 0, wire.Errorf(wire.CodeInvalid, "from must be a date such as 2026-11-20")
	}
	to := from
	if v := q.Get("to"); v != "" {
		if to, err = rules.ParseDate(v); err != nil {
			return 0, 0, wire.Errorf(wire.CodeInvalid, "to must be a date such as 2026-11-20")
		}
	}
	return from, to, nil
}

type ruleConfigResponse struct {
	SiteID  string       `json:"site_id"`
	Version int64        `json:"version,omitempty"`
	Config  rules.Config `json:"config"`
	// Changes lists the employee-days whose verdict the new configuration
	// changes in the from..to range of a PUT.
	Changes []rules.Change `json:"changes,omitempty"`
	Saved   bool           `json:"saved"`
}

func (s *Server) getRuleConfig(w http.ResponseWriter, r *http.Request) error {
	site := r.URL.Query().Get("site_id")
	c, v, err := s.Days.Config(r.Context(), site)
	if err != nil {
		return storeErr(err)
	}
	return writeJSON(w, http.StatusOK, ruleConfigResponse{SiteID: site, Version: v, Config: c, Saved: true})
}

// putRuleConfig validates a configuration and, with preview=true, answers
// what it would change in from..to without saving; otherwise it saves it
// and answers the changes it made there.
func (s *Server) putRuleConfig(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	site := q.Get("site_id")
	if site != "" {
		if _, err := s.Store.Site(r.Context(), site); err != nil {
			return wire.Errorf(wire.CodeNotFound, "no site %q", site)
		}
	}
	body, err := readBody(w, r, MaxBody)
	if err != nil {
		return err
	}
	c, err := rules.ParseConfig(body)
	if err != nil {
		return wire.Errorf(wire.CodeInvalid, "%v", err)
	}
	if err := checkBody(body, &c); err != nil {
		return err
	}
	resp := ruleConfigResponse{SiteID: site, Config: c}
	if q.Get("from") != "" {
		from, to, err := dateRange(r)
		if err != nil {
			return err
		}
		f := dayrec.Filter{From: from, To: to, DepartmentID: q.Get("department_id")}
		if resp.Changes, err = s.Days.Preview(r.Context(), f, site, c); err != nil {
			return storeErr(err)
		}
	}
	if q.Get("preview") == "true" {
		return writeJSON(w, http.StatusOK, resp)
	}
	canonical, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if resp.Version, err = s.Store.PutRules(r.Context(), site, canonical); err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionRules, Target: site, Detail: map[string]int64{"version": resp.Version}})
	resp.Saved = true
	return writeJSON(w, http.StatusOK, resp)
}
