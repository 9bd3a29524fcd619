package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"punchclock/server/internal/demo/demotest"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/store"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// clockedServer serves the API over a SQLite store seeded with the demo
// organisation, on a clock the test moves; it returns the base URL, the
// demo admin token, the store and the clock.
func clockedServer(t *testing.T) (string, string, store.Store, *testClock) {
	t.Helper()
	api, admin, st, clk := clockedAPI(t)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return srv.URL, admin, st, clk
}

// clockedAPI is clockedServer's API before it serves: a test may set
// more of it first.
func clockedAPI(t *testing.T) (*httpapi.Server, string, store.Store, *testClock) {
	t.Helper()
	clk := &testClock{t: now}
	st, res := demotest.Seeded(t, clk.Now, httpapi.HashToken)
	return httpapi.New(st, clk.Now, slog.Default(), "test"), res.AdminToken, st, clk
}

// flowPeople makes the accounts of the approval tests (employees E004,
// E005 and E006, and E002, the retail store's manager, all with password
// flow-password-1) and returns how to sign one in by login.
func flowPeople(t *testing.T, base, admin string) func(login string) *browser {
	t.Helper()
	for id, body := range map[string]string{
		"u-e4": `{"login":"e4","role":"employee","employee_id":"E004","password":"flow-password-1"}`,
		"u-e5": `{"login":"e5","role":"employee","employee_id":"E005","password":"flow-password-1"}`,
		"u-e6": `{"login":"e6","role":"employee","employee_id":"E006","password":"flow-password-1"}`,
		"u-m2": `{"login":"m2","role":"manager","department_id":"retail","employee_id":"E002","password":"flow-password-1"}`,
		"u-hr": `{"login":"hr-retail","role":"hr","unit":"retail","password":"flow-password-1"}`,
		"u-hw": `{"login":"hr-works","role":"hr","unit":"works","password":"flow-password-1"}`,
	} {
		if st, b := do(t, "PUT", base+"/api/v1/admin/users/"+id, admin, []byte(body), nil); st != 201 {
			t.Fatalf("account %s: %d %s", id, st, b)
		}
	}
	return func(login string) *browser {
		t.Helper()
		b := newBrowser(t)
		if st, body := b.signIn(base, login, "flow-password-1"); st != 200 {
			t.Fatalf("sign in %s: %d %s", login, st, body)
		}
		return b
	}
}

// browser is a person's browser: a cookie jar and the CSRF token the
// last sign-in gave.
type browser struct {
	t      *testing.T
	client *http.Client
	csrf   string
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, client: &http.Client{Jar: jar}}
}

func (b *browser) do(method, url string, body any, csrf bool) (int, string) {
	b.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string: // sent as it is: bytes JSON encoding would repair
		rd = strings.NewReader(b)
	default:
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, url, rd)
	if csrf {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func (b *browser) signIn(base, login, password string) (int, string) {
	b.t.Helper()
	st, body := b.do("POST", base+"/api/v1/auth/signin", map[string]string{"login": login, "password": password}, false)
	if st == 200 {
		var v struct {
			CSRFToken string `json:"csrf_token"`
		}
		json.Unmarshal([]byte(body), &v)
		b.csrf = v.CSRFToken
	}
	return st, body
}

// TestSignIn: an admin makes accounts; people sign in with a password
// into a session cookie; a state-changing request needs the session's
// CSRF token; sessions end when idle, at their absolute end, at sign-out
// and when an admin ends them; a manager has no admin powers; wrong
// passwords are throttled per account, unknown logins answer alike; the
// acts are in the audit log.
func TestSignIn(t *testing.T) {
	ctx := context.Background()
	base, admin, st, clk := clockedServer(t)
	base, u := base, base+"/api/v1"
	put := func(id string, body map[string]any) (int, string) {
		t.Helper()
		data, _ := json.Marshal(body)
		return do(t, "PUT", u+"/admin/users/"+id, admin, data, nil)
	}
	if st, body := put("u-boss", map[string]any{"login": "boss@example.com", "name": "Boss", "role": "super_admin", "password": "correct horse battery"}); st != 201 || strings.Contains(body, "argon2") {
		t.Fatalf("create super admin: %d %s", st, body)
	}
	if st, body := put("u-li", map[string]any{"login": "li.na", "name": "李娜", "role": "manager", "department_id": "retail", "password": "manager-pass-1"}); st != 201 {
		t.Fatalf("create manager: %d %s", st, body)
	}
	if st, _ := put("u-x", map[string]any{"login": "x", "role": "manager", "password": "short"}); st != 400 {
		t.Errorf("a manager without department and a short password: %d, want 400", st)
	}
	if st, _ := put("u-dup", map[string]any{"login": "li.na", "role": "employee", "employee_id": "E001"}); st != 409 {
		t.Errorf("a second account with li.na's login: %d, want 409", st)
	}

	boss := newBrowser(t)
	if st, body := boss.signIn(base, "boss@example.com", "correct horse battery"); st != 200 || boss.csrf == "" {
		t.Fatalf("sign in: %d %s", st, body)
	}
	if st, body := boss.do("GET", u+"/admin/devices", nil, false); st != 200 {
		t.Errorf("super admin reads devices: %d %s", st, body)
	}
	code := map[string]string{"site_id": "sh-jingan"}
	if st, _ := boss.do("POST", u+"/admin/enrollment-codes", code, false); st != 403 {
		t.Errorf("a write without the CSRF token: %d, want 403", st)
	}
	cst, body := boss.do("POST", u+"/admin/enrollment-codes", code, true)
	if cst != 201 {
		t.Errorf("a write with the CSRF token: %d %s", cst, body)
	}
	// The code comes with the kiosk page's URL that fills it in, for the
	// console's QR code.
	var made struct{ Code, URL string }
	if json.Unmarshal([]byte(body), &made); made.Code == "" || made.URL != base+"/?enroll="+url.QueryEscape(made.Code) {
		t.Errorf("the code %q comes with the URL %q, want %s/?enroll=CODE", made.Code, made.URL, base)
	}

	li := newBrowser(t)
	if st, body := li.signIn(base, "li.na", "manager-pass-1"); st != 200 {
		t.Fatalf("manager signs in: %d %s", st, body)
	}
	if st, body := li.do("GET", u+"/admin/devices", nil, false); st != 403 || strings.Contains(body, "dev-") {
		t.Errorf("manager reads devices: %d %s, want 403 naming nothing", st, body)
	}
	if st, body := li.do("GET", u+"/auth/me", nil, false); st != 200 || !strings.Contains(body, `"role":"manager"`) || strings.Contains(body, "argon2") {
		t.Errorf("me: %d %s", st, body)
	}

	// Idle: 29 minutes keep the session, 30 more end it.
	clk.Add(29 * time.Minute)
	if st, _ := li.do("GET", u+"/auth/me", nil, false); st != 200 {
		t.Errorf("after 29 idle minutes: %d", st)
	}
	clk.Add(30 * time.Minute)
	if st, _ := li.do("GET", u+"/auth/me", nil, false); st != 401 {
		t.Errorf("after 30 idle minutes: %d, want 401", st)
	}
	// Absolute: active every 20 minutes, the session still ends at 12 h.
	boss.signIn(base, "boss@example.com", "correct horse battery")
	for range 12*3 - 1 {
		clk.Add(20 * time.Minute)
		if st, _ := boss.do("GET", u+"/auth/me", nil, false); st != 200 {
			t.Fatalf("an active session ended before 12 h: %d", st)
		}
	}
	clk.Add(20 * time.Minute)
	if st, _ := boss.do("GET", u+"/auth/me", nil, false); st != 401 {
		t.Errorf("an active session after 12 h: %d, want 401", st)
	}
	// Sign-out, and an admin ending someone's sessions.
	boss.signIn(base, "boss@example.com", "correct horse battery")
	if st, _ := boss.do("POST", u+"/auth/signout", nil, true); st != 204 {
		t.Errorf("sign out: %d", st)
	}
	if st, _ := boss.do("GET", u+"/auth/me", nil, false); st != 401 {
		t.Errorf("after sign-out: %d", st)
	}
	if st, _ := boss.do("POST", u+"/auth/signout", nil, true); st != 401 {
		t.Errorf("sign out again, without a session: %d, want 401", st)
	}
	li.signIn(base, "li.na", "manager-pass-1")
	if st, body := do(t, "POST", u+"/admin/users/u-li/sessions/end", admin, nil, nil); st != 200 || !strings.Contains(body, `"ended":1`) {
		t.Errorf("end sessions: %d %s", st, body)
	}
	if st, _ := li.do("GET", u+"/auth/me", nil, false); st != 401 {
		t.Errorf("after an admin ended the sessions: %d", st)
	}

	// Wrong passwords: the same answer as an unknown login; the 6th
	// attempt within a minute is refused, right password or not.
	clk.Add(5 * time.Minute) // li.na's own sign-ins refilled
	guess := newBrowser(t)
	_, unknown := guess.signIn(base, "nobody", "whatever-it-is")
	for i := range 4 {
		st, body := guess.signIn(base, "li.na", "wrong-guess-nr-"+string(rune('0'+i)))
		if st != 401 || body != unknown {
			t.Fatalf("wrong password %d: %d %s; unknown login: %s", i+1, st, body, unknown)
		}
	}
	if st, _ := guess.signIn(base, "li.na", "wrong-guess-nr-9"); st != 401 {
		t.Fatalf("5th attempt: %d", st)
	}
	if st, body := guess.signIn(base, "li.na", "manager-pass-1"); st != 429 {
		t.Errorf("6th attempt with the right password: %d %s, want 429", st, body)
	}
	clk.Add(time.Minute)
	if st, body := guess.signIn(base, "li.na", "manager-pass-1"); st != 200 {
		t.Errorf("a minute later: %d %s", st, body)
	}

	var actions []string
	es, err := st.AuditEntries(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		actions = append(actions, e.Action+" "+e.Actor)
	}
	log := strings.Join(actions, "\n")
	for _, want := range []string{"auth.put_user token:", "auth.signin user:boss@example.com", "device.enroll_code user:boss@example.com",
		"auth.signout user:boss@example.com", "auth.end_sessions token:", "auth.signin_burst addr:127.0.0.1"} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %q:\n%s", want, log)
		}
	}
}
