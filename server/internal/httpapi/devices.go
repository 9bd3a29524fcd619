package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"punchclock/app/wire"
	"punchclock/server/internal/audit"
)

// --- devices ---

func (s *Server) enroll(w http.ResponseWriter, r *http.Request) error {
	if err := s.allowEnroll(r); err != nil {
		return err
	}
	var req wire.EnrollRequest
	if err := readJSON(w, r, MaxBody, &req, false); err != nil {
		return err
	}
	resp, err := s.Devices.Enroll(r.Context(), req)
	if err != nil {
		return err
	}
	s.record(r, audit.Event{Actor: "device:" + resp.DeviceID, Action: audit.ActionEnroll, Target: resp.DeviceID,
		Detail: map[string]string{"site": resp.Site.ID, "name": req.Name, "addr": s.clientAddr(r)}})
	return writeJSON(w, http.StatusOK, resp)
}

func (s *Server) activatePhone(w http.ResponseWriter, r *http.Request) error {
	if err := s.allowEnroll(r); err != nil {
		return err
	}
	var req wire.EnrollRequest
	if err := readJSON(w, r, MaxBody, &req, false); err != nil {
		return err
	}
	resp, err := s.Devices.ActivatePhone(r.Context(), req)
	if err != nil {
		return err
	}
	emp := ""
	if resp.Employee != nil {
		emp = resp.Employee.ID
	}
	s.record(r, audit.Event{Actor: "device:" + resp.DeviceID, Action: audit.ActionPhoneActive, Target: resp.DeviceID,
		Detail: map[string]string{"employee": emp, "addr": s.clientAddr(r)}})
	return writeJSON(w, http.StatusOK, resp)
}

type phoneLinkRequest struct {
	EmployeeID string `json:"employee_id"`
	TTLMinutes int    `json:"ttl_minutes,omitempty"`
}

type phoneLinkResponse struct {
	Code       string `json:"code"`
	EmployeeID string `json:"employee_id"`
	// URL opens the phone page with the code filled in; show it as a QR
	// code or send it to the employee.
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) issuePhoneLink(w http.ResponseWriter, r *http.Request) error {
	var req phoneLinkRequest
	if err := readJSON(w, r, MaxBody, &req, true); err != nil {
		return err
	}
	if req.TTLMinutes < 0 {
		return wire.Errorf(wire.CodeInvalid, "ttl_minutes must be positive")
	}
	code, exp, err := s.Devices.IssuePhoneLink(r.Context(), req.EmployeeID, time.Duration(req.TTLMinutes)*time.Minute, callerOf(r).Name)
	if err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionPhoneLink, Target: req.EmployeeID, Detail: map[string]time.Time{"expires_at": exp}})
	return writeJSON(w, http.StatusCreated, phoneLinkResponse{Code: code, EmployeeID: req.EmployeeID, URL: baseURL(r) + "/p?c=" + code, ExpiresAt: exp})
}

// baseURL is the scheme and host the client used to reach us.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) ingest(w http.ResponseWriter, r *http.Request) error {
	// Who sends is checked before the body is read: an unknown or revoked
	// device costs no memory. The signature, which covers the body, is
	// checked once it is read.
	if _, err := s.Devices.Identify(r.Context(), r.Header.Get("Authorization")); err != nil {
		return err
	}
	body, err := readBody(w, r, MaxBatchBody)
	if err != nil {
		return err
	}
	dev, err := s.Devices.Authenticate(r.Context(), r.Header.Get("Authorization"), r.Method, r.URL.RequestURI(), body, true)
	if err != nil {
		return err
	}
	var req wire.BatchRequest
	if err := decode(body, &req, false); err != nil {
		return err
	}
	resp, err := s.Punches.Ingest(r.Context(), dev, req, s.clientAddr(r))
	if err != nil {
		return err
	}
	s.autoFlows(r, req, resp)
	return writeJSON(w, http.StatusOK, resp)
}

func (s *Server) pull(w http.ResponseWriter, r *http.Request) error {
	dev, err := s.Devices.Authenticate(r.Context(), r.Header.Get("Authorization"), r.Method, r.URL.RequestURI(), nil, false)
	if err != nil {
		return err
	}
	resp, etag, err := s.Devices.Pull(r.Context(), dev, r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag)
	if match := r.Header.Get("If-None-Match"); match != "" && match == etag && r.URL.Query().Get("cursor") == resp.Cursor {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return writeJSON(w, http.StatusOK, resp)
}

// --- admin: devices ---

type issueCodeRequest struct {
	SiteID     string `json:"site_id"`
	TTLMinutes int    `json:"ttl_minutes,omitempty"`
}

type issueCodeResponse struct {
	Code   string `json:"code"`
	SiteID string `json:"site_id"`
	// URL opens the kiosk page with the code filled in; the console
	// shows it as a QR code for the tablet's camera.
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) issueCode(w http.ResponseWriter, r *http.Request) error {
	var req issueCodeRequest
	if err := readJSON(w, r, MaxBody, &req, true); err != nil {
		return err
	}
	if req.TTLMinutes < 0 {
		return wire.Errorf(wire.CodeInvalid, "ttl_minutes must be positive")
	}
	code, exp, err := s.Devices.IssueCode(r.Context(), req.SiteID, time.Duration(req.TTLMinutes)*time.Minute, callerOf(r).Name)
	if err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionEnrollCode, Target: req.SiteID, Detail: map[string]time.Time{"expires_at": exp}})
	return writeJSON(w, http.StatusCreated, issueCodeResponse{Code: code, SiteID: req.SiteID, URL: baseURL(r) + "/?" + wire.EnrollQueryParam + "=" + url.QueryEscape(code), ExpiresAt: exp})
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.Store.Devices(r.Context())
	return answerList(w, "devices", xs, err)
}

// renameDevice answers PUT /admin/devices/{id}: {"name": ...} names a
// kiosk or a phone as the fleet shows it ("Front door"), 1 to 100
// characters without control characters. Audited (device.rename).
func (s *Server) renameDevice(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := readJSON(w, r, MaxBody, &req, true); err != nil {
		return err
	}
	name := strings.TrimSpace(req.Name)
	if name == "" || utf8.RuneCountInString(name) > 100 || strings.ContainsFunc(name, unicode.IsControl) {
		return wire.Errorf(wire.CodeInvalid, "name must be 1 to 100 characters without control characters")
	}
	ctx, id := r.Context(), r.PathValue("id")
	old, err := s.Store.Device(ctx, id)
	if err != nil {
		return storeErr(err)
	}
	if err := s.Store.RenameDevice(ctx, id, name); err != nil {
		return storeErr(err)
	}
	d, err := s.Store.Device(ctx, id)
	if err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionRenameDevice, Target: d.ID, Detail: map[string]string{"site": d.SiteID, "name": d.Name, "before": old.Name}})
	return writeJSON(w, http.StatusOK, d)
}

func (s *Server) revokeDevice(w http.ResponseWriter, r *http.Request) error {
	if err := s.Store.RevokeDevice(r.Context(), r.PathValue("id")); err != nil {
		return storeErr(err)
	}
	// This instance at once; the others on a PostgreSQL database when the
	// notice of the revocation reaches them.
	s.Devices.Forget(r.PathValue("id"))
	d, err := s.Store.Device(r.Context(), r.PathValue("id"))
	if err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionRevoke, Target: d.ID, Detail: map[string]string{"site": d.SiteID, "kind": string(d.Kind)}})
	return writeJSON(w, http.StatusOK, d)
}
