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
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/approval"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/changefeed"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/device"
	"punchclock/server/internal/exportjob"
	"punchclock/server/internal/faceadmin"
	"punchclock/server/internal/field"
	"punchclock/server/internal/punch"
	"punchclock/server/internal/report"
	"punchclock/server/internal/store"
	"punchclock/server/internal/tagkey"
	"punchclock/server/internal/terminal"
	"punchclock/server/internal/webhook"
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
	// TagKeys sign the badge tokens of NFC tags (POST
	// /employees/{id}/nfc-tag); Devices and Punches share them.
	TagKeys *tagkey.Keys
	Days    *dayrec.Service
	// Feed is the change feed behind GET /attendance/record?changes=true.
	Feed *changefeed.Feed
	// Webhooks sends the webhooks (nil: endpoints are managed, and
	// nothing is sent, nor sent to a private network).
	Webhooks *webhook.Dispatcher
	// Audit appends security-relevant acts to the hash-chained log.
	Audit *audit.Log
	// Approvals runs the approval flows.
	Approvals *approval.Service
	// Auth signs people in (nil: bearer tokens only).
	Auth *auth.Service
	Now  func() time.Time
	Log  *slog.Logger
	// Version is the server build, reported by /api/v1/health.
	Version string
	// Bodies bounds the request bodies held in memory at once (nil: no
	// bound).
	Bodies *Budget
	// BadgeFont is the CJK TrueType font badge sheets are set in (""
	// the first of badges.FontPaths found).
	BadgeFont string
	// TrustProxies are the reverse proxies whose X-Forwarded-For header
	// names the client (see clientAddr).
	TrustProxies []netip.Prefix
	// Field keeps field staff's location trails.
	Field *field.Service
	// Face asks the sites' face services on behalf of the console (nil:
	// punchd holds no face admin token, and face enrolment is off).
	Face *faceadmin.Client
	// Exports runs the export jobs (nil: POST /report/export answers
	// that this server runs none).
	Exports *exportjob.Runner
	// Terminals answers hardware terminals (TerminalHandler) and backs
	// the admin's terminal routes.
	Terminals *terminal.Service

	routes []string
	// scopes are the token scopes of the routes (RouteScope).
	scopes map[string]bool
}

// Routes lists the patterns Handler registered ("POST /api/v1/...").
func (s *Server) Routes() []string { return s.routes }

// New wires a Server over st with the given clock.
func New(st store.Store, now func() time.Time, log *slog.Logger, version string) *Server {
	log2 := &audit.Log{Store: st, Now: now}
	days := &dayrec.Service{Store: st, Now: now}
	ruleSet := func(ctx context.Context, site string) (rules.Config, error) {
		c, _, err := days.Config(ctx, site)
		return c, err
	}
	keys := &tagkey.Keys{Store: st, Now: now}
	punches := punch.New(st, now)
	punches.TagKeys = keys
	return &Server{
		Auth:  &auth.Service{Store: st, Now: now, Audit: log2, Log: log},
		Store: st, Now: now, Log: log, Version: version,
		Devices:   &device.Service{Store: st, Now: now, TagKeys: keys},
		Punches:   punches,
		TagKeys:   keys,
		Days:      days,
		Feed:      &changefeed.Feed{Store: st, Now: now},
		Audit:     log2,
		Approvals: &approval.Service{Store: st, Now: now, Audit: log2, Log: log, Rules: ruleSet},
		Bodies:    DefaultBudget(),
		Field:     &field.Service{Store: st, Now: now, Fences: days.Fences},
		Terminals: &terminal.Service{Store: st, Now: now, Log: log},
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
			if observe := observed.Load(); observe != nil {
				sw := &statusWriter{ResponseWriter: w}
				defer func() { (*observe)(pattern, sw.code) }()
				w = sw
			}
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
	// Kiosks are head office's: super admins and HR of every unit
	// enroll, list and revoke them, as attendance administrators do.
	route("POST /api/v1/admin/enrollment-codes", s.headOffice(s.issueCode, RoleAdmin, RolePerson))
	route("GET /api/v1/admin/devices", s.headOffice(s.listDevices, RoleAdmin, RoleFace, RolePerson))
	route("PUT /api/v1/admin/devices/{id}", s.headOffice(s.renameDevice, RoleAdmin, RolePerson))
	route("POST /api/v1/admin/devices/{id}/revoke", s.headOffice(s.revokeDevice, RoleAdmin, RolePerson))
	route("GET /api/v1/admin/audit", s.withRole(s.listAudit, RoleAdmin, RolePerson))
	route("POST /api/v1/face/events", s.withRole(s.faceEvents, RoleFace, RoleAdmin))
	route("POST /api/v1/auth/signin", s.signIn)
	route("POST /api/v1/auth/signout", s.signedIn(s.signOut))
	route("GET /api/v1/auth/me", s.signedIn(s.me))
	route("GET /api/v1/admin/users", s.admin(s.listUsers))
	route("GET /api/v1/admin/tokens", s.admin(s.listTokens))
	route("POST /api/v1/admin/tokens", s.admin(s.issueToken))
	route("POST /api/v1/admin/tokens/{id}/revoke", s.admin(s.revokeToken))
	route("PUT /api/v1/admin/users/{id}", s.admin(s.putUser))
	route("POST /api/v1/admin/users/{id}/sessions/end", s.admin(s.endSessions))
	route("POST /api/v1/device/decisions", s.kioskDecide)
	route("POST /api/v1/device/health", s.deviceHealth)
	route("GET /api/v1/admin/fleet", s.headOffice(s.fleet, RoleAdmin, RolePerson))
	// Hardware terminals are kiosks' kin: head office's too.
	route("GET /api/v1/admin/terminals", s.headOffice(s.listTerminals, RoleAdmin, RolePerson))
	route("PUT /api/v1/admin/terminals/{serial}", s.headOffice(s.putTerminal, RoleAdmin, RolePerson))
	route("POST /api/v1/admin/terminals/{serial}/accept", s.headOffice(s.acceptTerminal, RoleAdmin, RolePerson))
	route("DELETE /api/v1/admin/terminals/{serial}", s.headOffice(s.deleteTerminal, RoleAdmin, RolePerson))
	route("POST /api/v1/admin/terminals/{serial}/commands", s.headOffice(s.terminalCommand, RoleAdmin, RolePerson))
	route("GET /api/v1/device/records", s.phoneRecordsGet)
	route("GET /api/v1/device/flows", s.phoneFlowsGet)
	route("POST /api/v1/device/flows", s.phoneFlowStart)
	route("POST /api/v1/device/flows/{id}/withdraw", s.phoneFlowWithdraw)
	route("POST /api/v1/device/flows/{id}/proof", s.phoneFlowProof)
	route("POST "+wire.PathUserLocation, s.userLocationPost)
	route("GET "+wire.PathUserLocation, s.scoped(s.userLocationGet))
	route("POST /api/v1/approval/flow", s.scoped(s.startFlow))
	route("GET /api/v1/approval/flow", s.scoped(s.listFlows))
	route("GET /api/v1/approval/flow/{id}", s.scoped(s.getFlow))
	route("POST /api/v1/approval/flow/{id}/decide", s.scoped(s.decideFlow))
	route("POST /api/v1/approval/flow/{id}/withdraw", s.scoped(s.withdrawFlow))
	route("POST /api/v1/approval/flow/{id}/proof", s.scoped(s.flowProofPut))
	route("GET /api/v1/approval/flow/{id}/proof", s.scoped(s.flowProofGet))
	route("GET /api/v1/approval/settings", s.reader(s.getFlowSettings))
	route("PUT /api/v1/approval/settings", s.admin(s.putFlowSettings))
	route("GET /api/v1/approval/matrix", s.scoped(s.getMatrix))
	route("PUT /api/v1/approval/matrix", s.withRole(s.putMatrix, RoleAdmin, RolePerson))
	route("GET /api/v1/approval/delegation", s.withRole(s.getDelegations, RolePerson))
	route("PUT /api/v1/approval/delegation", s.withRole(s.putDelegations, RolePerson))
	route("GET /api/v1/sites", s.scoped(s.listSites))
	route("PUT /api/v1/sites/{id}", s.withRole(s.putSite, RoleAdmin, RolePerson))
	route("GET /api/v1/departments", s.scoped(s.listDepartments))
	route("PUT /api/v1/departments/{id}", s.withRole(s.putDepartment, RoleAdmin, RolePerson))
	route("DELETE /api/v1/departments/{id}", s.withRole(s.deleteDepartment, RoleAdmin, RolePerson))
	route("GET /api/v1/employees", s.withRole(s.listEmployees, RoleAdmin, RoleIntegrator, RoleFace, RolePerson))
	route("GET /api/v1/employees/{id}", s.scoped(s.getEmployee))
	route("GET /api/v1/badges", s.withRole(s.badgeSheet, RoleAdmin, RolePerson))
	route("POST /api/v1/employees/{id}/nfc-tag", s.withRole(s.nfcTag, RoleAdmin, RolePerson))
	route("POST /api/v1/employees/import", s.withRole(s.importEmployees, RoleAdmin, RolePerson))
	route("PUT /api/v1/employees/{id}", s.withRole(s.putEmployee, RoleAdmin, RolePerson))
	route("GET /api/v1/employees/{id}/face", s.withRole(s.getFace, RoleAdmin, RolePerson))
	route("POST /api/v1/employees/{id}/face", s.withRole(s.postFace, RoleAdmin, RolePerson))
	route("DELETE /api/v1/employees/{id}/face", s.withRole(s.deleteFace, RoleAdmin, RolePerson))
	route("GET /api/v1/attendance/record", s.scoped(s.attendanceRecord))
	for _, name := range []string{report.ReportMonthly, report.ReportPunches, report.ReportOvertime, report.ReportAnomalies} {
		route("GET /api/v1/report/"+name, s.scoped(s.exportReport(name)))
	}
	route("GET /api/v1/report/stats", s.scoped(s.reportStatsAll))
	route("GET /api/v1/report/stats/{chart}", s.scoped(s.reportStats))
	route("POST /api/v1/report/export", s.scoped(s.startExportJob))
	route("GET /api/v1/report/export/{id}", s.scoped(s.exportJob))
	route("GET /api/v1/report/export/{id}/file", s.scoped(s.exportJobFile))
	route("GET /api/v1/rule/config", s.headOffice(s.getRuleConfig, RoleAdmin, RoleIntegrator, RolePerson))
	route("PUT /api/v1/rule/config", s.headOffice(s.putRuleConfig, RoleAdmin, RolePerson))
	route("GET /api/v1/admin/webhooks", s.admin(s.listWebhooks))
	route("POST /api/v1/admin/webhooks", s.admin(s.createWebhook))
	route("DELETE /api/v1/admin/webhooks/{id}", s.admin(s.deleteWebhook))
	route("POST /api/v1/admin/webhooks/{id}/rotate", s.admin(s.rotateWebhook))
	route("GET /api/v1/admin/webhooks/{id}/deliveries", s.admin(s.listDeliveries))
	route("POST /api/v1/admin/webhooks/{id}/deliveries/{delivery}/replay", s.admin(s.replayDelivery))
	route("GET /api/v1/punches", s.scoped(s.listPunches))
	route("GET /api/v1/punches/{id}", s.scoped(s.getPunch))
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
	body.Error.Code, body.Error.Message, body.Error.Fields = code, wire.MessageOf(err), wire.FieldsOf(err)
	if code == wire.CodeTransient {
		w.Header().Set("Retry-After", "5")
	}
	if v := retrySeconds(err); v != "" {
		w.Header().Set("Retry-After", v)
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
	return s.take(r, "enroll:"+s.clientAddr(r), enrollEvery, enrollBurst, "too many enrollment or activation attempts from this address; wait a minute")
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
