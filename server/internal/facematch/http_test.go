package facematch

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"punchclock/app/wire"
	"punchclock/server/internal/facematch/variants"
)

const adminToken = "s3cret-admin"

func newTestServer(t *testing.T, cfg Config) (*httptest.Server, *fakeExtractor, *fakeClock) {
	svc, ex, clk, _ := newTestService(t, cfg)
	srv := httptest.NewServer(NewHandler(svc, adminToken, ""))
	t.Cleanup(srv.Close)
	return srv, ex, clk
}

func do(t *testing.T, method, url, token, ctype string, body []byte, hdr ...string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: not JSON: %q", method, url, b)
	}
	return resp.StatusCode, m, resp.Header
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func enrollBody(emp, site string, photos ...[]byte) []byte {
	in := map[string]any{"employee_id": emp, "site_id": site, "consent": map[string]string{"by": emp, "purpose": "face punches at the shop entrance"}}
	var enc []string
	for _, p := range photos {
		enc = append(enc, base64.StdEncoding.EncodeToString(p))
	}
	in["photos"] = enc
	b, _ := json.Marshal(in)
	return b
}

func TestHTTPFlow(t *testing.T) {
	srv, ex, _ := newTestServer(t, Config{})
	u := srv.URL + "/api/v1"
	alice := desc(1)

	if st, m, _ := do(t, "POST", u+"/enroll", "", "application/json", enrollBody("alice", "s1", ex.photo(1, face(alice)))); st != 401 || errCode(m) != "unauthorized" {
		t.Fatalf("enroll without token: %d %v", st, m)
	}
	if st, m, _ := do(t, "POST", u+"/enroll", adminToken, "application/json", enrollBody("alice", "s1", ex.photo(2, face(alice)))); st != 201 || m["descriptors"] != 1.0 {
		t.Fatalf("enroll: %d %v", st, m)
	}
	// Multipart enrolment.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	for k, v := range map[string]string{"employee_id": "bob", "site_id": "s1", "consent_by": "bob", "consent_purpose": "attendance"} {
		mw.WriteField(k, v)
	}
	for i := range 2 {
		w, _ := mw.CreateFormFile("photos", "bob.jpg")
		w.Write(ex.photo(10+i, face(near(desc(2), 0.1*float64(i), 3))))
	}
	mw.Close()
	if st, m, _ := do(t, "POST", u+"/enroll", adminToken, mw.FormDataContentType(), mp.Bytes()); st != 201 || m["descriptors"] != 2.0 {
		t.Fatalf("multipart enroll: %d %v", st, m)
	}
	if st, m, _ := do(t, "POST", u+"/enroll", adminToken, "application/json", enrollBody("carol", "s1", ex.photo(3))); st != 400 || !strings.Contains(m["error"].(map[string]any)["message"].(string), "no face") {
		t.Fatalf("enroll without face: %d %v", st, m)
	}

	st, m, _ := do(t, "POST", u+"/identify", "", "image/jpeg", ex.photo(4, face(near(alice, 0.3, 9))), "X-Site-ID", "s1", "X-Kiosk-ID", "k1")
	if st != 200 || m["verdict"] != "match" || m["employee_id"] != "alice" {
		t.Fatalf("identify: %d %v", st, m)
	}
	if _, leaked := m["distance"]; leaked {
		t.Fatal("the kiosk sees a distance")
	}
	vid := m["verdict_id"].(string)
	if st, m, _ := do(t, "GET", u+"/audit/"+vid, "", "", nil); st != 401 {
		t.Fatalf("audit without token: %d %v", st, m)
	}
	st, m, _ = do(t, "GET", u+"/audit/"+vid, adminToken, "", nil)
	if st != 200 || m["employee_id"] != "alice" || m["kiosk_id"] != "k1" || m["distance"] == nil || m["second_employee_id"] != "" && m["second_employee_id"] != nil && m["second_employee_id"] != "bob" {
		t.Fatalf("audit: %d %v", st, m)
	}
	if d := m["distance"].(float64); d < 0.29 || d > 0.31 {
		t.Fatalf("audit distance %v, want 0.3", d)
	}
	if st, m, _ := do(t, "GET", u+"/audit/0190c3e4-0000-7000-8000-000000000000", adminToken, "", nil); st != 404 || errCode(m) != "not_found" {
		t.Fatalf("unknown audit: %d %v", st, m)
	}
	// Query parameters work as well as headers.
	if st, m, _ := do(t, "POST", u+"/identify?site=s1&kiosk=k2", "", "image/jpeg", ex.photo(5, face(desc(50))), nil...); st != 200 || m["verdict"] != "unknown" || m["employee_id"] != nil {
		t.Fatalf("identify stranger: %d %v", st, m)
	}

	if st, m, _ := do(t, "GET", u+"/employees/alice", adminToken, "", nil); st != 200 || len(m["consents"].([]any)) != 1 {
		t.Fatalf("employee: %d %v", st, m)
	}
	if st, m, _ := do(t, "DELETE", u+"/employees/alice", adminToken, "", nil); st != 200 || m["deleted_descriptors"] != 1.0 {
		t.Fatalf("delete: %d %v", st, m)
	}
	if st, m, _ := do(t, "POST", u+"/identify", "", "image/jpeg", ex.photo(6, face(alice)), "X-Site-ID", "s1", "X-Kiosk-ID", "k1"); st != 200 || m["verdict"] != "unknown" {
		t.Fatalf("identify after delete: %d %v", st, m)
	}
	if st, m, _ := do(t, "GET", u+"/health", "", "", nil); st != 200 || m["status"] != "ok" {
		t.Fatalf("health: %d %v", st, m)
	}
	// The document (TestOpenAPICoversRoutes checks it against the routes).
	st, m, _ = do(t, "GET", u+"/openapi.json", "", "", nil)
	if st != 200 || m["openapi"] != "3.1.0" {
		t.Fatalf("openapi: %d", st)
	}
}

func TestHTTPBadInput(t *testing.T) {
	srv, ex, clk := newTestServer(t, Config{KioskRate: 1, KioskBurst: 3})
	u := srv.URL + "/api/v1/identify"
	good := ex.photo(1, face(desc(1)))
	big := variants.Encode(image.NewGray(image.Rect(0, 0, 100, 80)), 80)
	id := []string{"X-Site-ID", "s1", "X-Kiosk-ID", "k-bad"}
	tests := []struct {
		name   string
		body   []byte
		hdr    []string
		status int
		code   wire.Code
	}{
		{"empty body", nil, id, 400, wire.CodeInvalid},
		{"not a jpeg", []byte("hello, I am text"), id, 400, wire.CodeInvalid},
		{"truncated", good[:len(good)-40], id, 400, wire.CodeInvalid},
		{"50 megapixels", bomb(big, 8660, 5773), id, 413, wire.CodeTooLarge},
		{"decompression bomb", bomb(big, 65000, 65000), id, 413, wire.CodeTooLarge},
		{"over the body limit", make([]byte, DefaultLimits.MaxBytes+1), id, 413, wire.CodeTooLarge},
		{"gzip body", good, append([]string{"Content-Encoding", "gzip"}, id...), 400, wire.CodeInvalid},
		{"no kiosk id", good, []string{"X-Site-ID", "s1"}, 400, wire.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk.t = clk.t.Add(10e9) // keep the kiosk's bucket full; the flood test is below
			st, m, _ := do(t, "POST", u, "", "image/jpeg", tt.body, tt.hdr...)
			if st != tt.status || errCode(m) != string(tt.code) {
				t.Fatalf("%d %v, want %d %s", st, m, tt.status, tt.code)
			}
			if msg := m["error"].(map[string]any)["message"].(string); msg == "" {
				t.Fatal("no message")
			}
		})
	}
	t.Run("flood", func(t *testing.T) {
		clk.t = clk.t.Add(10e9)
		var codes []int
		var retry string
		for range 6 {
			st, _, h := do(t, "POST", u, "", "image/jpeg", good, id...)
			codes = append(codes, st)
			if st == 429 {
				retry = h.Get("Retry-After")
			}
		}
		want := []int{200, 200, 200, 429, 429, 429}
		if !equalInts(codes, want) || retry != "1" {
			t.Fatalf("flood statuses %v (Retry-After %q), want %v", codes, retry, want)
		}
	})
	t.Run("still up", func(t *testing.T) {
		if st, m, _ := do(t, "GET", srv.URL+"/api/v1/health", "", "", nil); st != 200 {
			t.Fatalf("health after bad input: %d %v", st, m)
		}
	})
	t.Run("liveness frame count", func(t *testing.T) {
		b, _ := json.Marshal(map[string]any{"site_id": "s1", "kiosk_id": "k9", "frames": []string{base64.StdEncoding.EncodeToString(good)}})
		if st, m, _ := do(t, "POST", srv.URL+"/api/v1/liveness", "", "application/json", b); st != 400 || errCode(m) != "invalid" {
			t.Fatalf("one frame: %d %v", st, m)
		}
	})
	t.Run("malformed json", func(t *testing.T) {
		if st, m, _ := do(t, "POST", srv.URL+"/api/v1/enroll", adminToken, "application/json", []byte(`{"photos": [`)); st != 400 || errCode(m) != "invalid" {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("unknown route", func(t *testing.T) {
		if st, m, _ := do(t, "GET", srv.URL+"/api/v1/nope", "", "", nil); st != 404 || errCode(m) != "not_found" {
			t.Fatalf("%d %v", st, m)
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCORS checks what a kiosk page from another origin (punchd's) needs:
// the preflight of identify with the kiosk's headers, the allow-origin on
// real answers (errors too, so the page can read the code), Retry-After
// exposed, and no cross-origin access to the admin endpoints.
func TestCORS(t *testing.T) {
	srv, ex, _ := newTestServer(t, Config{})
	u := srv.URL + "/api/v1"
	preflight := func(path, method, headers string, extra ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodOptions, u+path, nil)
		req.Header.Set("Origin", "http://kiosk.example:8080")
		req.Header.Set("Access-Control-Request-Method", method)
		if headers != "" {
			req.Header.Set("Access-Control-Request-Headers", headers)
		}
		for i := 0; i+1 < len(extra); i += 2 {
			req.Header.Set(extra[i], extra[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, p := range []struct{ path, method, headers string }{
		{"/identify", "POST", "content-type,x-site-id,x-kiosk-id"},
		{"/liveness", "POST", "content-type,x-site-id,x-kiosk-id,authorization"},
		{"/health", "GET", ""},
	} {
		resp := preflight(p.path, p.method, p.headers)
		h := resp.Header
		if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), p.method) {
			t.Errorf("preflight %s: %d %v", p.path, resp.StatusCode, h)
		}
		allowed := strings.ToLower(h.Get("Access-Control-Allow-Headers"))
		for _, want := range strings.Split(p.headers, ",") {
			if want != "" && !strings.Contains(allowed, want) {
				t.Errorf("preflight %s: header %s not allowed (%q)", p.path, want, allowed)
			}
		}
	}
	if h := preflight("/identify", "POST", "content-type", "Access-Control-Request-Private-Network", "true").Header; h.Get("Access-Control-Allow-Private-Network") != "true" {
		t.Errorf("private network preflight: %v", h)
	}
	// Admin endpoints are not opened to other origins.
	if resp := preflight("/enroll", "POST", "content-type,authorization"); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight of enroll allowed: %d %v", resp.StatusCode, resp.Header)
	}

	// Real answers carry the allow-origin, errors included.
	hdr := []string{"Origin", "http://kiosk.example:8080", "X-Site-ID", "s1", "X-Kiosk-ID", "k1"}
	st, m, h := do(t, "POST", u+"/identify", "", "image/jpeg", ex.photo(1, face(desc(1))), hdr...)
	if st != 200 || m["verdict"] != "unknown" || h.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(h.Get("Access-Control-Expose-Headers"), "Retry-After") {
		t.Errorf("identify from another origin: %d %v %v", st, m, h)
	}
	if st, m, h := do(t, "POST", u+"/identify", "", "image/jpeg", []byte("not a jpeg"), hdr...); st != 400 || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("identify error from another origin: %d %v %v", st, m, h)
	}
	if st, m, h := do(t, "GET", u+"/health", "", "", nil, "Origin", "http://kiosk.example:8080"); st != 200 || m["liveness"] != "offered" || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("health from another origin: %d %v %v", st, m, h)
	}
	if _, _, h := do(t, "GET", u+"/employees/x", adminToken, "", nil, "Origin", "http://kiosk.example:8080"); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("admin answer allows other origins: %v", h)
	}
}

// TestRequireLiveness: a service that requires the head turn says so on
// health (the kiosk picks its flow from it) and refuses single frames.
func TestRequireLiveness(t *testing.T) {
	svc, ex, _, _ := newTestService(t, Config{})
	h := NewHandler(svc, adminToken, "")
	h.RequireLiveness = true
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	if st, m, _ := do(t, "GET", srv.URL+"/api/v1/health", "", "", nil); st != 200 || m["liveness"] != "required" {
		t.Fatalf("health: %d %v", st, m)
	}
	st, m, _ := do(t, "POST", srv.URL+"/api/v1/identify", "", "image/jpeg", ex.photo(1, face(desc(1))), "X-Site-ID", "s1", "X-Kiosk-ID", "k1")
	if st != 428 || errCode(m) != "liveness_required" || !strings.Contains(m["error"].(map[string]any)["message"].(string), "/api/v1/liveness") {
		t.Fatalf("single-frame identify: %d %v", st, m)
	}
	// The liveness endpoint still answers (here: a still face is not live).
	var frames []string
	for i := range 3 {
		frames = append(frames, base64.StdEncoding.EncodeToString(ex.photo(10+i, face(desc(1)))))
	}
	b, _ := json.Marshal(map[string]any{"site_id": "s1", "kiosk_id": "k1", "frames": frames})
	if st, m, _ := do(t, "POST", srv.URL+"/api/v1/liveness", "", "application/json", b); st != 200 || m["verdict"] != "not_live" {
		t.Fatalf("liveness: %d %v", st, m)
	}
}
