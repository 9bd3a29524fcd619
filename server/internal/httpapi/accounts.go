package httpapi

import (
	"net/http"
	"time"

	"punchclock/app/wire"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/store"
)

// userView is an account on the wire (never its password hash).
type userView struct {
	ID           string    `json:"id"`
	Login        string    `json:"login"`
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	Unit         string    `json:"unit,omitempty"`
	DepartmentID string    `json:"department_id,omitempty"`
	EmployeeID   string    `json:"employee_id,omitempty"`
	Active       bool      `json:"active"`
	HasPassword  bool      `json:"has_password"`
	HasPIN       bool      `json:"has_pin"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func viewUser(u store.User) userView {
	return userView{ID: u.ID, Login: u.Login, Name: u.Name, Role: u.Role, Unit: u.Unit, DepartmentID: u.DepartmentID, EmployeeID: u.EmployeeID,
		Active: u.Active, HasPassword: u.PasswordHash != "", HasPIN: u.PINHash != "", CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC()}
}

type signInRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

type sessionView struct {
	User userView `json:"user"`
	// CSRFToken must be sent as X-CSRF-Token with every state-changing request.
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func https(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	var req signInRequest
	if err := readJSON(w, r, MaxBody, &req, true); err != nil {
		return err
	}
	in, err := s.Auth.SignIn(r.Context(), req.Login, req.Password, s.clientAddr(r))
	if err != nil {
		return err
	}
	// Max-Age, not Expires: the browser's clock may be off; the server
	// holds the session to its own end anyway.
	http.SetCookie(w, &http.Cookie{Name: auth.CookieName, Value: in.Secret, Path: "/", MaxAge: int(in.ExpiresAt.Sub(s.Now()).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: https(r)})
	return writeJSON(w, http.StatusOK, sessionView{User: viewUser(in.User), CSRFToken: in.CSRF, ExpiresAt: in.ExpiresAt.UTC()})
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	c := callerOf(r)
	if c.User == nil {
		return wire.Errorf(wire.CodeInvalid, "a token does not sign out; revoke it")
	}
	ck, _ := r.Cookie(auth.CookieName)
	if err := s.Auth.SignOut(r.Context(), *c.User, ck.Value); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: auth.CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: https(r)})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// me answers who the caller is: a person's account and session (with
// its CSRF token, for a page reloaded), or a token's name and role.
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	c := callerOf(r)
	if c.User == nil {
		return writeJSON(w, http.StatusOK, map[string]string{"token": c.Name, "role": c.Role})
	}
	return writeJSON(w, http.StatusOK, sessionView{User: viewUser(*c.User), CSRFToken: c.Session.CSRF, ExpiresAt: c.Session.ExpiresAt.UTC()})
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.Store.Users(r.Context())
	if err != nil {
		return storeErr(err)
	}
	out := make([]userView, 0, len(us))
	for _, u := range us {
		out = append(out, viewUser(u))
	}
	return writeJSON(w, http.StatusOK, map[string][]userView{"users": out})
}

func (s *Server) putUser(w http.ResponseWriter, r *http.Request) error {
	var req auth.UserRequest
	if err := readJSON(w, r, MaxBody, &req, true); err != nil {
		return err
	}
	u, created, err := s.Auth.PutUser(r.Context(), r.PathValue("id"), req, actor(r))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, viewUser(u))
}

func (s *Server) endSessions(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Auth.EndSessions(r.Context(), r.PathValue("id"), actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"ended": n})
}
