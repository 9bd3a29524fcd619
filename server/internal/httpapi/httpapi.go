// Package httpapi is punchd's HTTP transport: the /api/v1/ routes, their
// authentication, request limits, and the one mapping from errors to HTTP
// statuses (wire.Code.HTTPStatus). Handlers decode, call a service, and
// encode; the decisions live in the services.
package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/device"
	"punchclock/server/internal/facematch"
	"punchclock/server/internal/punch"
	"punchclock/server/internal/store"
)

// Limits on request bodies.
const (
	MaxBatchBody = 4 << 20 // 500 punches of a few KiB each
	MaxBody      = 1 << 20
)

//go:embed openapi.json
var openapiDoc []byte

// OpenAPI returns the embedded OpenAPI document.
func OpenAPI() []byte { return openapiDoc }

// Server holds what the handlers need.
type Server struct {
	Store   store.Store
	Devices *device.Service
	Punches *punch.Service
	Days    *dayrec.Service
	// Audit appends security-relevant acts to the hash-chained log.
	Audit *audit.Log
	// Auth signs people in (nil: bearer tokens only).
	Auth *auth.Service
	Now  func() time.Time
	Log  *slog.Logger
	// Version is the server build, reported by /api/v1/health.
	Version string
	// Bodies bounds the request bodies held in memory at once (nil: no
	// bound).
	Bodies *Budget
	// TrustProxies are the reverse proxies whose X-Forwarded-For header
	// names the client (see clientAddr).
	TrustProxies []netip.Prefix

	routes []string
	// scopes are the token scopes of the routes (RouteScope).
	scopes map[string]bool
}

// Routes lists the patterns Handler registered ("POST /api/v1/...").
func (s *Server) Routes() []string { return s.routes }

// New wires a Server over st with the given clock.
func New(st store.Store, now func() time.Time, log *slog.Logger, version string) *Server {
	log2 := &audit.Log{Store: st, Now: now}
	return &Server{
		Auth:  &auth.Service{Store: st, Now: now, Audit: log2, Log: log},
		Store: st, Now: now, Log: log, Version: version,
		Devices: &device.Service{Store: st, Now: now},
		Punches: punch.New(st, now),
		Days:    &dayrec.Service{Store: st, Now: now},
		Audit:   log2,
		Bodies:  DefaultBudget(),
	}
}

// Handler returns the /api/v1/ routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes = s.routes[:0]
	s.scopes = map[string]bool{}
	route := func(pattern string, h func(http.ResponseWriter, *http.Request) error) {
		s.routes = append(s.routes, pattern)
		scope := RouteScope(pattern)
		if scope != "" {
			s.scopes[scope] = true
		}
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			r = r.WithContext(context.WithValue(r.Context(), scopeKey{}, scope))
			err := checkRequest(r)
			if err == nil {
				err = h(w, r)
			}
			if err != nil {
				s.writeError(w, r, err)
			}
		})
	}
	route("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		_, err := w.Write(openapiDoc)
		return err
	})
	route("GET /api/v1/health", s.health)
	route("POST /api/v1/devices/enroll", s.enroll)
	route("POST /api/v1/phones/activate", s.activatePhone)
	route("POST /api/v1/admin/phone-links", s.admin(s.issuePhoneLink))
	route("POST /api/v1/device/punches", s.ingest)
	route("GET /api/v1/device/pull", s.pull)
	route("POST /api/v1/admin/enrollment-codes", s.admin(s.issueCode))
	route("GET /api/v1/admin/devices", s.withRole(s.listDevices, RoleAdmin, RoleFace))
	route("POST /api/v1/admin/devices/{id}/revoke", s.admin(s.revokeDevice))
	route("GET /api/v1/admin/audit", s.admin(s.listAudit))
	route("POST /api/v1/auth/signin", s.signIn)
	route("POST /api/v1/auth/signout", s.signedIn(s.signOut))
	route("GET /api/v1/auth/me", s.signedIn(s.me))
	route("GET /api/v1/admin/users", s.admin(s.listUsers))
	route("GET /api/v1/admin/tokens", s.admin(s.listTokens))
	route("POST /api/v1/admin/tokens", s.admin(s.issueToken))
	route("POST /api/v1/admin/tokens/{id}/revoke", s.admin(s.revokeToken))
	route("PUT /api/v1/admin/users/{id}", s.admin(s.putUser))
	route("POST /api/v1/admin/users/{id}/sessions/end", s.admin(s.endSessions))
	route("GET /api/v1/sites", s.reader(s.listSites))
	route("PUT /api/v1/sites/{id}", s.admin(s.putSite))
	route("GET /api/v1/departments", s.reader(s.listDepartments))
	route("PUT /api/v1/departments/{id}", s.admin(s.putDepartment))
	route("GET /api/v1/employees", s.withRole(s.listEmployees, RoleAdmin, RoleIntegrator, RoleFace))
	route("GET /api/v1/employees/{id}", s.reader(s.getEmployee))
	route("PUT /api/v1/employees/{id}", s.admin(s.putEmployee))
	route("GET /api/v1/attendance/record", s.reader(s.attendanceRecord))
	route("GET /api/v1/rule/config", s.reader(s.getRuleConfig))
	route("PUT /api/v1/rule/config", s.admin(s.putRuleConfig))
	route("GET /api/v1/punches", s.reader(s.listPunches))
	route("GET /api/v1/punches/{id}", s.reader(s.getPunch))
	route("/api/v1/", func(w http.ResponseWriter, r *http.Request) error {
		return wire.Errorf(wire.CodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path)
	})
	if s.Bodies != nil {
		return s.Bodies.limit(s, mux)
	}
	return mux
}

// writeError is the one place an error becomes an HTTP answer.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	err = codeSentinel(err)
	code := wire.CodeOf(err)
	if code == wire.CodeInternal || code == wire.CodeTransient {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var body wire.ErrorBody
	body.Error.Code, body.Error.Message = code, wire.MessageOf(err)
	if code == wire.CodeTransient {
		w.Header().Set("Retry-After", "5")
	}
	if code == wire.CodeStale {
		body.ServerTime = s.Now().UTC()
	}
	writeJSON(w, code.HTTPStatus(), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// readBody reads at most limit bytes. A body of known length is read into
// a buffer of that size: io.ReadAll's doubling would hold up to twice the
// bytes the Budget reserved.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	rd := http.MaxBytesReader(w, r.Body, limit)
	if n := r.ContentLength; n > 0 && n <= limit {
		body := make([]byte, n)
		if _, err := io.ReadFull(rd, body); err != nil {
			return nil, wire.Errorf(wire.CodeInvalid, "cannot read request body: %v", err)
		}
		return body, nil
	}
	body, err := io.ReadAll(rd)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, wire.Errorf(wire.CodeTooLarge, "request body is larger than %d bytes", limit)
	}
	if err != nil {
		return nil, wire.Errorf(wire.CodeInvalid, "cannot read request body: %v", err)
	}
	return body, nil
}

// readJSON reads a body of at most limit bytes and decodes it (see decode).
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any, strict bool) error {
	body, err := readBody(w, r, limit)
	if err != nil {
		return err
	}
	return decode(body, v, strict)
}

// decode parses one JSON value; strict refuses unknown fields (for admin
// writes, where a misspelt field must not be silently dropped).
func decode(body []byte, v any, strict bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return wire.Errorf(wire.CodeInvalid, "request body is empty; expected JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return wire.Errorf(wire.CodeInvalid, "malformed JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return wire.Errorf(wire.CodeInvalid, "malformed JSON: data after the value")
	}
	return checkBody(body, v)
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]any{
		"status": "ok", "server_time": s.Now().UTC(), "version": s.Version,
		"protocol": wire.ProtocolVersion, "min_protocol": wire.MinProtocolVersion,
	})
}

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

// --- authentication of people and integrations ---

// Roles of API tokens.
const (
	RoleAdmin      = "admin"
	RoleIntegrator = "integrator"
	// RoleFace is the face service's (facematchd -punchd-token): it may
	// list the employees (to delete the face data of leavers) and the
	// devices (to verify the kiosks' signed requests), and nothing else,
	// so a token kept on a store's LAN server reads no punches or records.
	RoleFace = "face"
)

// Roles lists the roles a token may have.
var Roles = []string{RoleAdmin, RoleIntegrator, RoleFace}

// HashToken is how API tokens are stored.
func HashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// record appends an act to the audit log once it is done. A failure to
// record does not undo the act, nor fail an answer the caller would
// retry (a kiosk enrolled would find its code used): it is logged as an
// error for the operator.
func (s *Server) record(r *http.Request, ev audit.Event) {
	if s.Audit == nil {
		return
	}
	if _, err := s.Audit.Record(r.Context(), ev); err != nil {
		s.Log.Error("audit log: an act is not recorded", "action", ev.Action, "target", ev.Target, "actor", ev.Actor, "err", err)
	}
}

// --- admin: devices ---

type issueCodeRequest struct {
	SiteID     string `json:"site_id"`
	TTLMinutes int    `json:"ttl_minutes,omitempty"`
}

type issueCodeResponse struct {
	Code      string    `json:"code"`
	SiteID    string    `json:"site_id"`
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
	return writeJSON(w, http.StatusCreated, issueCodeResponse{Code: code, SiteID: req.SiteID, ExpiresAt: exp})
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.Store.Devices(r.Context())
	return answerList(w, "devices", xs, err)
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
	var err error
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
	p, err := s.Store.Punch(r.Context(), r.PathValue("id"))
	if err != nil {
		return storeErr(err)
	}
	return writeJSON(w, http.StatusOK, s.view(p))
}

func parseTime(v, name string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, wire.Errorf(wire.CodeInvalid, "%s must be an RFC 3339 time such as 2026-11-20T09:00:00+08:00", name)
	}
	return t, nil
}

// storeErr gives a store error its code (store.Coded).
func storeErr(err error) error { return store.Coded(err) }

// answerList writes {key: xs}, or the store's error.
func answerList[T any](w http.ResponseWriter, key string, xs []T, err error) error {
	if err != nil {
		return storeErr(err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{key: nonNil(xs)})
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// --- rate limiting ---

// limiter is a per-address token bucket.
// Enrollment codes and phone links are guessed at most this fast from one
// address: 10 tries, then one every 6 s.
const (
	enrollBurst = 10
	enrollEvery = 6 * time.Second
)

// allowEnroll takes an enrollment or activation try of the request's
// address from its bucket in the store, which a restart keeps and every
// punchd on the database shares.
func (s *Server) allowEnroll(r *http.Request) error {
	ok, err := s.Store.Take(r.Context(), "enroll:"+s.clientAddr(r), s.Now(), enrollEvery, enrollBurst)
	if err != nil {
		return store.Coded(err)
	}
	if !ok {
		return wire.Errorf(wire.CodeRateLimited, "too many enrollment or activation attempts from this address; wait a minute")
	}
	return nil
}

// clientAddr is the address a request comes from: its peer's, or, when
// the peer is a trusted proxy, the last address of X-Forwarded-For that is
// not a trusted proxy (each proxy appends the address it was reached from,
// so the entries left of it are the client's word and not believed).
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !s.trusted(host) {
		return host
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(hop); err != nil {
			return host // a garbled header: the last proxy is all we know
		}
		if host = hop; !s.trusted(hop) {
			break
		}
	}
	return host
}

func (s *Server) trusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.TrustProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
