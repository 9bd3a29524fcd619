package httpapi

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/store"
)

// NewToken makes a new API token of role: 160 random bits.
func NewToken(role string) string {
	var raw [20]byte
	rand.Read(raw[:])
	return "pc_" + role + "_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:]))
}

// MaxTokenTTL is the longest life a token may be given.
const MaxTokenTTL = 2 * 365 * 24 * time.Hour

// CheckScope checks a space-separated token scope against the scopes the
// routes have (RouteScope).
func (s *Server) CheckScope(scope string) error {
	for _, sc := range strings.Fields(scope) {
		if !s.scopes[sc] {
			known := make([]string, 0, len(s.scopes))
			for k := range s.scopes {
				known = append(known, k)
			}
			sort.Strings(known)
			return wire.Errorf(wire.CodeInvalid, "unknown scope %q; scopes are %s", sc, strings.Join(known, " "))
		}
	}
	return nil
}

// tokenView is a token on the wire: never its hash or secret.
type tokenView struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Role  string `json:"role"`
	Scope string `json:"scope,omitempty"`
	// RatePerMin is the requests a minute the token may make.
	RatePerMin int        `json:"rate_per_min"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsed   *time.Time `json:"last_used,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	// Token is the secret, in the answer that made it only.
	Token string `json:"token,omitempty"`
}

func opt(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func viewToken(t store.Token) tokenView {
	rate := t.RatePerMin
	if rate <= 0 {
		rate = DefaultTokenRate
	}
	return tokenView{ID: t.ID, Name: t.Name, Role: t.Role, Scope: t.Scope, RatePerMin: rate, CreatedAt: t.CreatedAt.UTC(), ExpiresAt: opt(t.ExpiresAt), LastUsed: opt(t.LastUsed), RevokedAt: opt(t.RevokedAt)}
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.Store.Tokens(r.Context())
	if err != nil {
		return storeErr(err)
	}
	out := make([]tokenView, 0, len(ts))
	for _, t := range ts {
		out = append(out, viewToken(t))
	}
	return writeJSON(w, http.StatusOK, map[string][]tokenView{"tokens": out})
}

type issueTokenRequest struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	Scope string `json:"scope,omitempty"`
	// TTLDays is the token's life (default 90, at most 730).
	TTLDays int `json:"ttl_days,omitempty"`
	// RatePerMin is the requests a minute it may make (default
	// DefaultTokenRate, at most MaxTokenRate).
	RatePerMin int `json:"rate_per_min,omitempty"`
}

func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) error {
	var req issueTokenRequest
	if err := readJSON(w, r, MaxBody, &req, true); err != nil {
		return err
	}
	ttl := time.Duration(req.TTLDays) * 24 * time.Hour
	switch {
	case strings.TrimSpace(req.Name) == "" || len(req.Name) > 100:
		return wire.Errorf(wire.CodeInvalid, "name must say who or what uses the token (1 to 100 characters)")
	case !slices.Contains(Roles, req.Role):
		return wire.Errorf(wire.CodeInvalid, "role must be one of %s", strings.Join(Roles, ", "))
	case req.TTLDays < 0 || ttl > MaxTokenTTL:
		return wire.Errorf(wire.CodeInvalid, "ttl_days must be between 1 and %d", int(MaxTokenTTL.Hours()/24))
	case req.RatePerMin < 0 || req.RatePerMin > MaxTokenRate:
		return wire.Errorf(wire.CodeInvalid, "rate_per_min must be between 1 and %d (default %d)", MaxTokenRate, DefaultTokenRate)
	case req.TTLDays == 0:
		ttl = 90 * 24 * time.Hour
	}
	if err := s.CheckScope(req.Scope); err != nil {
		return err
	}
	now := s.Now()
	secret := NewToken(req.Role)
	t := store.Token{Hash: HashToken(secret), Name: req.Name, Role: req.Role, Scope: strings.Join(strings.Fields(req.Scope), " "), RatePerMin: req.RatePerMin, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.Store.PutToken(r.Context(), t); err != nil {
		return storeErr(err)
	}
	t, err := s.Store.TokenByHash(r.Context(), t.Hash)
	if err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionToken, Target: t.Name, Detail: map[string]any{"id": t.ID, "role": t.Role, "scope": t.Scope, "rate_per_min": t.RatePerMin, "expires_at": t.ExpiresAt}})
	v := viewToken(t)
	v.Token = secret
	return writeJSON(w, http.StatusCreated, v)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Store.RevokeToken(r.Context(), r.PathValue("id"), s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return wire.Errorf(wire.CodeNotFound, "no such token")
	} else if err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionTokenRevoke, Target: t.Name, Detail: map[string]string{"id": t.ID}})
	return writeJSON(w, http.StatusOK, viewToken(t))
}
