package httpapi_test

import (
	"strings"
	"testing"
	"time"
)

// TestTokenLife: a token made through the API has a scope, an expiry and
// a last use; out of scope it is forbidden, expired or revoked it is
// unauthorized with one message; a token made before scopes existed
// keeps all its role allows.
func TestTokenLife(t *testing.T) {
	base, admin, _, clk := clockedServer(t)
	u := base + "/api/v1"
	issue := func(body string) (int, map[string]any) { t.Helper(); return issueToken(t, u, admin, body) }
	if st, v := issue(`{"name":"payroll","role":"integrator","scope":"attendance:read nonsense:read"}`); st != 400 {
		t.Errorf("an unknown scope: %d %v", st, v)
	}
	st2, v := issue(`{"name":"payroll","role":"integrator","scope":"attendance:read employees:read","ttl_days":30}`)
	if st2 != 201 {
		t.Fatalf("issue: %d %v", st2, v)
	}
	secret, id := v["token"].(string), v["id"].(string)
	if !strings.HasPrefix(secret, "pc_integrator_") || id == "" || v["expires_at"] == nil {
		t.Fatalf("issued token: %v", v)
	}
	range_ := "?employee_id=E001&from=2026-11-16&to=2026-11-20"
	if st, body := do(t, "GET", u+"/attendance/record"+range_, secret, nil, nil); st != 200 {
		t.Errorf("in scope: %d %s", st, body)
	}
	if st, body := do(t, "GET", u+"/punches", secret, nil, nil); st != 403 || strings.Contains(body, "E0") {
		t.Errorf("out of scope: %d %s", st, body)
	}
	// The demo admin token predates scopes: it keeps every route.
	if st, _ := do(t, "GET", u+"/punches", admin, nil, nil); st != 200 {
		t.Errorf("an unscoped token: %d", st)
	}
	var list struct{ Tokens []map[string]any }
	do(t, "GET", u+"/admin/tokens", admin, nil, &list)
	found := false
	for _, tv := range list.Tokens {
		if tv["id"] == id {
			found = tv["last_used"] != nil && tv["token"] == nil
		}
		if strings.Contains(strings.ToLower(tv["id"].(string)+tv["name"].(string)), "pc_") {
			t.Errorf("a secret in the list: %v", tv)
		}
	}
	if !found {
		t.Errorf("the list lacks the used token with its last use: %v", list.Tokens)
	}

	clk.Add(30*24*time.Hour + time.Second)
	_, expired := do(t, "GET", u+"/employees", secret, nil, nil)
	_, unknown := do(t, "GET", u+"/employees", "pc_integrator_nope", nil, nil)
	if !strings.Contains(expired, "unauthorized") || expired != unknown {
		t.Errorf("an expired token: %s; an unknown one: %s; want the same answer", expired, unknown)
	}

	_, v = issue(`{"name":"bi","role":"integrator"}`)
	secret, id = v["token"].(string), v["id"].(string)
	if st, _ := do(t, "GET", u+"/employees", secret, nil, nil); st != 200 {
		t.Fatalf("a fresh token: %d", st)
	}
	if st, body := do(t, "POST", u+"/admin/tokens/"+id+"/revoke", admin, nil, nil); st != 200 || !strings.Contains(body, "revoked_at") {
		t.Fatalf("revoke: %d %s", st, body)
	}
	if _, body := do(t, "GET", u+"/employees", secret, nil, nil); body != unknown {
		t.Errorf("a revoked token: %s", body)
	}
	if st, _ := do(t, "POST", u+"/admin/tokens/nope/revoke", admin, nil, nil); st != 404 {
		t.Errorf("revoke an unknown token: %d", st)
	}
	if st, _ := do(t, "POST", u+"/admin/tokens", secret, []byte(`{"name":"x","role":"admin"}`), nil); st != 401 {
		t.Errorf("a revoked token makes a token: %d", st)
	}
}
