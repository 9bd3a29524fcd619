package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"punchclock/app/wire"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/store"
)

// caller is who makes a request: an API token or a signed-in person.
type caller struct {
	// Name is the token's name or the person's login.
	Name string
	// Role is the API role the caller acts with: a token's own; a super
	// admin's session acts as RoleAdmin; HR, managers and employees act
	// as RolePerson, which only the scoped routes take.
	Role string
	// Scope is a token's (store.Token.Scope; empty: all its role allows).
	Scope string
	// TokenID is a token's id ("" for a person).
	TokenID string
	// User and Session are set for a person.
	User    *store.User
	Session store.Session
}

// actor names the caller for the audit log.
func (c caller) actor() string {
	if c.User != nil {
		return "user:" + c.Name
	}
	return "token:" + c.Name
}

type ctxKey struct{}

// identify finds the caller: a bearer token if the request carries one,
// else a session cookie. A state-changing request made with a session
// must carry the session's CSRF token in X-CSRF-Token.
func (s *Server) identify(r *http.Request) (caller, error) {
	if h := r.Header.Get("Authorization"); h != "" || s.Auth == nil {
		t, err := s.bearer(r)
		if err != nil {
			return caller{}, err
		}
		return caller{Name: t.Name, Role: t.Role, Scope: t.Scope, TokenID: t.ID}, nil
	}
	c, err := r.Cookie(auth.CookieName)
	if err != nil {
		return caller{}, wire.Errorf(wire.CodeUnauthorized, "sign in, or send a bearer token")
	}
	u, sess, err := s.Auth.Authenticate(r.Context(), c.Value)
	if err != nil {
		return caller{}, err
	}
	if unsafeMethod(r.Method) && !auth.CheckCSRF(sess, r.Header.Get(auth.CSRFHeader)) {
		return caller{}, wire.Errorf(wire.CodeForbidden, "this request needs the session's %s header", auth.CSRFHeader)
	}
	role := RolePerson
	if u.Role == auth.RoleSuperAdmin {
		role = RoleAdmin
	}
	return caller{Name: u.Login, Role: role, User: &u, Session: sess}, nil
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func (s *Server) bearer(r *http.Request) (store.Token, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return store.Token{}, wire.Errorf(wire.CodeUnauthorized, "missing bearer token")
	}
	t, err := s.Store.TokenByHash(r.Context(), HashToken(strings.TrimSpace(tok)))
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return t, errBadToken
	} else if err != nil {
		return t, store.Coded(err)
	}
	now := s.Now()
	if !t.RevokedAt.IsZero() || !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) {
		return store.Token{}, errBadToken
	}
	if err := s.allowToken(r, t); err != nil {
		return store.Token{}, err
	}
	if now.Sub(t.LastUsed) >= time.Minute {
		if err := s.Store.TouchToken(r.Context(), t.Hash, now); err != nil {
			return t, store.Coded(err)
		}
	}
	return t, nil
}

// admin wraps a handler that needs the admin role.
func (s *Server) admin(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return s.withRole(h, RoleAdmin)
}

// reader wraps a handler admins and integrators may call.
func (s *Server) reader(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return s.withRole(h, RoleAdmin, RoleIntegrator)
}

// headOffice wraps a handler the roles may call, of which people only
// when they act for head office (auth.HeadOffice: super admins and HR of
// every unit); HR of a unit and managers are refused, naming nothing.
func (s *Server) headOffice(h func(http.ResponseWriter, *http.Request) error, roles ...string) func(http.ResponseWriter, *http.Request) error {
	return s.withRole(func(w http.ResponseWriter, r *http.Request) error {
		if u := callerOf(r).User; u != nil && !auth.HeadOffice(*u) {
			return errNotAllowed
		}
		return h(w, r)
	}, roles...)
}

// signedIn wraps a handler any identified caller may call.
func (s *Server) signedIn(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, err := s.identify(r)
		if err != nil {
			return err
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, c)))
	}
}

// errBadToken is the one answer to a token that is unknown, expired or
// revoked: which of them is not said.
var errBadToken = wire.Errorf(wire.CodeUnauthorized, "unknown, expired or revoked token")

type scopeKey struct{}

// RouteScope is the token scope a route pattern needs: its resource (the
// path's first segment after /api/v1/, or after /api/v1/admin/) and
// "read" for GET, "write" otherwise; "attendance:read" for
// "GET /api/v1/attendance/record". Empty for the catch-all.
func RouteScope(pattern string) string {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		return ""
	}
	rest := strings.TrimPrefix(path, "/api/v1/")
	rest = strings.TrimPrefix(rest, "admin/")
	resource, _, _ := strings.Cut(rest, "/")
	if method == http.MethodGet || pattern == "POST /api/v1/report/export" {
		// An export job reads, though it is asked for with a POST.
		return resource + ":read"
	}
	return resource + ":write"
}

// tokenScopeAllows reports whether a caller's token scope allows the route.
func tokenScopeAllows(c caller, r *http.Request) bool {
	if c.Scope == "" {
		return true
	}
	need, _ := r.Context().Value(scopeKey{}).(string)
	for _, have := range strings.Fields(c.Scope) {
		if have == need {
			return true
		}
	}
	return false
}

func (s *Server) withRole(h func(http.ResponseWriter, *http.Request) error, roles ...string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, err := s.identify(r)
		if err != nil {
			return err
		}
		if !tokenScopeAllows(c, r) {
			return wire.Errorf(wire.CodeForbidden, "%s may not do this", c.actor())
		}
		for _, role := range roles {
			if c.Role == role {
				return h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, c)))
			}
		}
		return wire.Errorf(wire.CodeForbidden, "%s may not do this", c.actor())
	}
}

func callerOf(r *http.Request) caller {
	c, _ := r.Context().Value(ctxKey{}).(caller)
	return c
}

// actor names the caller of a request for the audit log.
func actor(r *http.Request) string { return callerOf(r).actor() }
