package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"punchclock/server/internal/httpapi"
)

// get is a bearer GET: its status, Retry-After and body.
func get(t *testing.T, url, tok string) (int, string, string) {
	t.Helper()
	st, h, body := send(t, "GET", url, tok, nil)
	return st, h.Get("Retry-After"), string(body)
}

// issueToken makes a token through the API as admin: the status and
// the answer.
func issueToken(t *testing.T, u, admin, body string) (int, map[string]any) {
	t.Helper()
	st, b := do(t, "POST", u+"/admin/tokens", admin, []byte(body), nil)
	var v map[string]any
	json.Unmarshal([]byte(b), &v)
	return st, v
}

// TestTokenRateLimit: a token issued with a rate of 2 a minute makes 2
// requests at once, then is refused with rate_limited and a Retry-After
// that counts down on the server's clock until its bucket holds a request
// again; another token has its own bucket; a token issued without a rate
// has the default, and rates out of bounds are refused.
func TestTokenRateLimit(t *testing.T) {
	base, admin, _, clk := clockedServer(t)
	u := base + "/api/v1"
	issue := func(body string) (int, map[string]any) { t.Helper(); return issueToken(t, u, admin, body) }
	st, slow := issue(`{"name":"payroll","role":"integrator","rate_per_min":2}`)
	if st != 201 || slow["rate_per_min"] != 2.0 {
		t.Fatalf("issue: %d %v", st, slow)
	}
	_, other := issue(`{"name":"erp","role":"integrator"}`)
	if other["rate_per_min"] != float64(httpapi.DefaultTokenRate) {
		t.Errorf("default rate: %v", other["rate_per_min"])
	}
	tok := slow["token"].(string)
	path := u + "/employees/E004"
	var got []string
	for range 3 {
		st, retry, _ := get(t, path, tok)
		got = append(got, http.StatusText(st)+" "+retry)
	}
	if want := "OK |OK |Too Many Requests 30"; strings.Join(got, "|") != want {
		t.Errorf("3 requests at once: %q, want %q", strings.Join(got, "|"), want)
	}
	_, _, body := get(t, path, tok)
	if !strings.Contains(body, `"rate_limited"`) || strings.Contains(body, "E004") {
		t.Errorf("refusal: %s", body)
	}
	if st, _, _ := get(t, path, other["token"].(string)); st != 200 {
		t.Errorf("another token: %d", st)
	}
	clk.Add(10*time.Second + 500*time.Millisecond)
	if st, retry, _ := get(t, path, tok); st != 429 || retry != "20" {
		t.Errorf("10.5 s later: %d Retry-After %q, want 429 and 20", st, retry)
	}
	clk.Add(19*time.Second + 500*time.Millisecond)
	if st, retry, _ := get(t, path, tok); st != 200 {
		t.Errorf("30 s later: %d Retry-After %q, want a request", st, retry)
	}
	for _, body := range []string{`{"name":"x","role":"integrator","rate_per_min":-1}`, `{"name":"x","role":"integrator","rate_per_min":60001}`} {
		if st, v := issue(body); st != 400 {
			t.Errorf("%s: %d %v", body, st, v)
		}
	}
}
