// Package auth holds the people who sign in: accounts with argon2id
// passwords, browser sessions with CSRF tokens, idle and absolute expiry,
// and throttling of wrong passwords per account and per address.
//
// A session's secret lives only in the browser's cookie (HttpOnly,
// SameSite=Strict, Secure over HTTPS); the database keeps its SHA-256.
// Every state-changing request made with a session must echo the
// session's CSRF token in the X-CSRF-Token header. A session ends after
// IdleTTL without a request, at AbsoluteTTL however active, at sign-out,
// or when an admin ends all of a user's sessions.
//
// Sign-in answers the same "wrong login or password" for an unknown
// login, a wrong password and a disabled account, and spends the same
// argon2id work on each. Each attempt takes a token from the account's
// bucket (5, one back a minute) and from the address's (20, one back
// every 3 s), both kept in the database (every punchd shares them): past
// them an attempt is refused before the password is checked.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/store"
)

// Roles of people. Scopes: HR acts within User.Unit, a manager within
// the subtree of User.DepartmentID, an employee on User.EmployeeID only.
const (
	RoleSuperAdmin = "super_admin"
	RoleHR         = "hr"
	RoleManager    = "manager"
	RoleEmployee   = "employee"
)

// Roles lists the roles of people.
var Roles = []string{RoleSuperAdmin, RoleHR, RoleManager, RoleEmployee}

// CookieName is the session cookie's; CSRFHeader the header a
// state-changing request echoes the session's CSRF token in.
const (
	CookieName = "pc_session"
	CSRFHeader = "X-CSRF-Token"
)

// Session lifetimes by default.
const (
	DefaultIdle     = 30 * time.Minute
	DefaultAbsolute = 12 * time.Hour
)

// Sign-in throttling.
const (
	accountBurst = 5
	accountEvery = time.Minute
	addrBurst    = 20
	addrEvery    = 3 * time.Second
	// touchEvery: a session's last use is written at most this often.
	touchEvery = time.Minute
)

// Audit actions of this package.
const (
	ActionSignIn      = "auth.signin"
	ActionSignInBurst = "auth.signin_burst" // an account's bucket ran dry: somebody is guessing
	ActionSignOut     = "auth.signout"
	ActionEndSessions = "auth.end_sessions"
	ActionPutUser     = "auth.put_user"
)

// Service signs people in and checks their sessions.
type Service struct {
	Store store.Store
	Now   func() time.Time
	Audit *audit.Log
	// Log takes what cannot be answered: an act the audit log did not take.
	Log *slog.Logger
	// IdleTTL and AbsoluteTTL default to DefaultIdle and DefaultAbsolute.
	IdleTTL, AbsoluteTTL time.Duration
}

// SignedIn is a new session: Secret goes into the cookie, CSRF to the page.
type SignedIn struct {
	Secret    string
	CSRF      string
	User      store.User
	ExpiresAt time.Time
}

// wrong is the one answer to a failed sign-in.
var wrong = wire.Errorf(wire.CodeUnauthorized, "wrong login or password")

// dummyHash is checked against when the login is unknown, so an unknown
// login costs the same time as a wrong password.
var dummyHash = func() string {
	h, err := HashPassword("not-a-password-of-anyone")
	if err != nil {
		panic(err)
	}
	return h
}()

// SignIn checks a login and password and opens a session.
func (s *Service) SignIn(ctx context.Context, login, password, addr string) (SignedIn, error) {
	login = strings.TrimSpace(login)
	if login == "" || password == "" {
		return SignedIn{}, wire.Errorf(wire.CodeInvalid, "login and password are required")
	}
	if len(login) > 200 || len(password) > 1000 {
		return SignedIn{}, wrong
	}
	if err := wire.CheckText("login", login); err != nil {
		return SignedIn{}, err
	}
	now := s.Now()
	if ok, err := s.Store.Take(ctx, "signin-addr:"+addr, now, addrEvery, addrBurst); err != nil {
		return SignedIn{}, store.Coded(err)
	} else if !ok {
		return SignedIn{}, wire.Errorf(wire.CodeRateLimited, "too many sign-in attempts from this address; wait a minute")
	}
	key := "signin-account:" + strings.ToLower(login)
	if ok, err := s.Store.Take(ctx, key, now, accountEvery, accountBurst); err != nil {
		return SignedIn{}, store.Coded(err)
	} else if !ok {
		// Logged once per burst: the first refusal finds the marker
		// bucket full, the next ones within the hour do not.
		if first, err := s.Store.Take(ctx, key+":logged", now, time.Hour, 1); err == nil && first {
			s.record(ctx, audit.Event{Actor: "addr:" + addr, Action: ActionSignInBurst, Target: login})
		}
		return SignedIn{}, wire.Errorf(wire.CodeRateLimited, "too many sign-in attempts for this account; wait a minute")
	}
	u, err := s.Store.UserByLogin(ctx, login)
	hash := u.PasswordHash
	if err != nil || hash == "" {
		hash = dummyHash
	}
	match, herr := CheckPassword(hash, password)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return SignedIn{}, wrong
	case err != nil:
		return SignedIn{}, store.Coded(err)
	case herr != nil, !match, !u.Active, u.PasswordHash == "":
		return SignedIn{}, wrong
	}
	secret, err := randomToken()
	if err != nil {
		return SignedIn{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return SignedIn{}, err
	}
	sess := store.Session{Hash: HashSecret(secret), UserID: u.ID, CSRF: csrf, Addr: addr, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.absolute())}
	if err := s.Store.PutSession(ctx, sess); err != nil {
		return SignedIn{}, store.Coded(err)
	}
	s.record(ctx, audit.Event{Actor: "user:" + u.Login, Action: ActionSignIn, Target: u.ID, Unit: u.Unit, Detail: map[string]string{"addr": addr}})
	return SignedIn{Secret: secret, CSRF: csrf, User: u, ExpiresAt: sess.ExpiresAt}, nil
}

// Authenticate returns the user and session of a cookie's secret. An
// unknown, ended, idle or expired session, or a disabled user, is
// unauthorized.
func (s *Service) Authenticate(ctx context.Context, secret string) (store.User, store.Session, error) {
	if secret == "" || len(secret) > 100 {
		return store.User{}, store.Session{}, wire.Errorf(wire.CodeUnauthorized, "not signed in")
	}
	hash := HashSecret(secret)
	sess, err := s.Store.Session(ctx, hash)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return store.User{}, store.Session{}, wire.Errorf(wire.CodeUnauthorized, "not signed in")
	} else if err != nil {
		return store.User{}, store.Session{}, store.Coded(err)
	}
	now := s.Now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeen) >= s.idle() {
		s.Store.DeleteSession(ctx, hash)
		return store.User{}, store.Session{}, wire.Errorf(wire.CodeUnauthorized, "the session has ended; sign in again")
	}
	u, err := s.Store.User(ctx, sess.UserID)
	if err != nil || !u.Active {
		return store.User{}, store.Session{}, wire.Errorf(wire.CodeUnauthorized, "not signed in")
	}
	if now.Sub(sess.LastSeen) >= touchEvery {
		if err := s.Store.TouchSession(ctx, hash, now); err != nil {
			return store.User{}, store.Session{}, store.Coded(err)
		}
	}
	return u, sess, nil
}

// CheckCSRF reports whether token is the session's CSRF token.
func CheckCSRF(sess store.Session, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRF)) == 1
}

// SignOut ends the session of secret.
func (s *Service) SignOut(ctx context.Context, u store.User, secret string) error {
	if err := s.Store.DeleteSession(ctx, HashSecret(secret)); err != nil {
		return store.Coded(err)
	}
	s.record(ctx, audit.Event{Actor: "user:" + u.Login, Action: ActionSignOut, Target: u.ID, Unit: u.Unit})
	return nil
}

// EndSessions ends every session of a user (an admin's act).
func (s *Service) EndSessions(ctx context.Context, userID, actor string) (int, error) {
	u, err := s.Store.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, wire.Errorf(wire.CodeNotFound, "no such user")
	} else if err != nil {
		return 0, store.Coded(err)
	}
	n, err := s.Store.DeleteSessions(ctx, userID)
	if err != nil {
		return 0, store.Coded(err)
	}
	s.record(ctx, audit.Event{Actor: actor, Action: ActionEndSessions, Target: userID, Unit: u.Unit, Detail: map[string]int{"sessions": n}})
	return n, nil
}

// HashSecret is how session secrets are stored: hex SHA-256.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (s *Service) idle() time.Duration {
	if s.IdleTTL > 0 {
		return s.IdleTTL
	}
	return DefaultIdle
}

func (s *Service) absolute() time.Duration {
	if s.AbsoluteTTL > 0 {
		return s.AbsoluteTTL
	}
	return DefaultAbsolute
}

func (s *Service) record(ctx context.Context, ev audit.Event) {
	if s.Audit == nil {
		return
	}
	if _, err := s.Audit.Record(ctx, ev); err != nil && s.Log != nil {
		s.Log.Error("audit log: an act is not recorded", "action", ev.Action, "target", ev.Target, "actor", ev.Actor, "err", err)
	}
}
