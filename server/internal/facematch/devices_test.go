package facematch

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
)

// fakePunchd lists devices on GET /api/v1/admin/devices for the bearer
// token "face-tok", and counts the lists it gave.
type fakePunchd struct {
	mu      sync.Mutex
	devices []attendance.Device
	down    bool
	lists   int
}

func (p *fakePunchd) server(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		switch {
		case r.URL.Path != "/api/v1/admin/devices":
			http.NotFound(w, r)
		case r.Header.Get("Authorization") != "Bearer face-tok":
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":{"code":"forbidden","message":"token \"x\" (role integrator) may not do this"}}`))
		case p.down:
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":{"code":"transient","message":"down"}}`))
		default:
			p.lists++
			json.NewEncoder(w).Encode(map[string]any{"devices": p.devices})
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (p *fakePunchd) add(d attendance.Device) {
	p.mu.Lock()
	p.devices = append(p.devices, d)
	p.mu.Unlock()
}

// set takes punchd down or up, and replaces its devices unless devs is nil.
func (p *fakePunchd) set(down bool, devs []attendance.Device) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if devs != nil {
		p.devices = devs
	}
}

func (p *fakePunchd) listed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lists
}

// kioskKey makes a deterministic Ed25519 key.
func kioskKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func kioskDevice(id, site string, key ed25519.PrivateKey) attendance.Device {
	return attendance.Device{ID: id, Name: id, Kind: attendance.DeviceKiosk, SiteID: site, PublicKey: key.Public().(ed25519.PublicKey)}
}

// signedKiosk is a kiosk as the facematch tests see it: an id and a key.
type signedKiosk struct {
	id  string
	key ed25519.PrivateKey
}

// send signs a kiosk request with k over signedBody (nil: the body sent)
// at the kiosk's clock at, and sends body.
func (k signedKiosk) send(t *testing.T, base, path, ctype string, body, signedBody []byte, at time.Time, hdr ...string) (int, map[string]any) {
	t.Helper()
	if signedBody == nil {
		signedBody = body
	}
	u, err := url.Parse(base + path)
	if err != nil {
		t.Fatal(err)
	}
	auth := wire.SignRequest(k.id, k.key, http.MethodPost, u.RequestURI(), at, signedBody)
	st, m, _ := do(t, http.MethodPost, base+path, "", ctype, body, append([]string{"Authorization", auth}, hdr...)...)
	return st, m
}

// auditRows counts the audit trail: a refused request must add nothing.
func auditRows(t *testing.T, st *Store) int {
	t.Helper()
	var n int
	if err := st.db.QueryRow(`SELECT count(*) FROM audit`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// deviceServer is facematchd linked to a fake punchd that knows kiosks k1
// (site s1), k2 (s1, revoked), k3 (s2) and a phone; alice is enrolled at
// s1.
func deviceServer(t *testing.T, kioskToken string) (string, *fakeExtractor, *fakeClock, *Store, *fakePunchd, *DeviceSync) {
	t.Helper()
	svc, ex, clk, st := newTestService(t, Config{KioskRate: 1000, KioskBurst: 1000})
	enroll(t, svc, "alice", "s1", ex.photo(1, face(desc(1))))
	p := &fakePunchd{}
	revoked := kioskDevice("k2", "s1", kioskKey(2))
	revoked.Revoked = true
	phone := kioskDevice("p1", "s1", kioskKey(4))
	phone.Kind, phone.EmployeeID = attendance.DevicePhone, "alice"
	for _, d := range []attendance.Device{kioskDevice("k1", "s1", kioskKey(1)), revoked, kioskDevice("k3", "s2", kioskKey(3)), phone} {
		p.add(d)
	}
	ds := &DeviceSync{Store: st, PunchdURL: p.server(t).URL, Token: "face-tok", Now: clk.Now}
	if n, err := ds.Once(t.Context()); err != nil || n != 3 {
		t.Fatalf("device sync: %d kiosks, %v; want 3", n, err)
	}
	h := NewHandler(svc, adminToken, kioskToken)
	h.Devices = ds
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/api/v1", ex, clk, st, p, ds
}

// TestDeviceAuth: with a link to punchd, identify and liveness take
// requests signed by an enrolled kiosk of the site, and refuse every other
// one before anything is extracted or recorded.
func TestDeviceAuth(t *testing.T) {
	u, ex, clk, db, p, _ := deviceServer(t, "")
	k1 := signedKiosk{"k1", kioskKey(1)}
	frame := ex.photo(10, face(near(desc(1), 0.2, 3)))
	other := ex.photo(11, face(desc(50)))
	// The kiosk's clock is hours off: no freshness window (see the
	// package doc).
	kioskNow := clk.t.Add(-7 * time.Hour)

	st0, m := k1.send(t, u, "/identify", "image/jpeg", frame, nil, kioskNow, "X-Site-ID", "s1", "X-Kiosk-ID", "k1")
	if st0 != 200 || m["verdict"] != "match" || m["employee_id"] != "alice" {
		t.Fatalf("signed identify: %d %v", st0, m)
	}
	if st, audit, _ := do(t, "GET", u+"/audit/"+m["verdict_id"].(string), adminToken, "", nil); st != 200 || audit["kiosk_id"] != "k1" || audit["site_id"] != "s1" {
		t.Errorf("audit of a signed identify: %d %v", st, audit)
	}
	// The ids may be left out: the signer is the kiosk, its site the site.
	if st, m := k1.send(t, u, "/identify", "image/jpeg", frame, nil, kioskNow); st != 200 || m["verdict"] != "match" {
		t.Fatalf("signed identify without ids: %d %v", st, m)
	}

	seed := 100
	livenessBody := func(site, kiosk string) []byte {
		in := map[string]any{"site_id": site, "kiosk_id": kiosk}
		var fs []string
		for range 3 {
			seed++
			fs = append(fs, base64.StdEncoding.EncodeToString(ex.photo(seed, face(desc(1)))))
		}
		in["frames"] = fs
		b, _ := json.Marshal(in)
		return b
	}
	if st, m := k1.send(t, u, "/liveness", "application/json", livenessBody("s1", "k1"), nil, kioskNow); st != 200 || m["verdict"] != "not_live" {
		t.Fatalf("signed liveness: %d %v", st, m)
	}

	rows, calls := auditRows(t, db), ex.calls
	tests := []struct {
		name   string
		send   func() (int, map[string]any)
		status int
		code   wire.Code
	}{
		{"unsigned", func() (int, map[string]any) {
			st, m, _ := do(t, "POST", u+"/identify", "", "image/jpeg", other, "X-Site-ID", "s1", "X-Kiosk-ID", "k1")
			return st, m
		}, 401, wire.CodeUnauthorized},
		{"wrong key", func() (int, map[string]any) {
			return signedKiosk{"k1", kioskKey(9)}.send(t, u, "/identify", "image/jpeg", other, nil, kioskNow, "X-Site-ID", "s1")
		}, 401, wire.CodeUnauthorized},
		{"revoked", func() (int, map[string]any) {
			return signedKiosk{"k2", kioskKey(2)}.send(t, u, "/identify", "image/jpeg", other, nil, kioskNow, "X-Site-ID", "s1")
		}, 401, wire.CodeUnauthorized},
		{"unknown", func() (int, map[string]any) {
			return signedKiosk{"k9", kioskKey(9)}.send(t, u, "/identify", "image/jpeg", other, nil, kioskNow, "X-Site-ID", "s1")
		}, 401, wire.CodeUnauthorized},
		{"a phone", func() (int, map[string]any) {
			return signedKiosk{"p1", kioskKey(4)}.send(t, u, "/identify", "image/jpeg", other, nil, kioskNow, "X-Site-ID", "s1")
		}, 401, wire.CodeUnauthorized},
		{"other site", func() (int, map[string]any) {
			return k1.send(t, u, "/identify", "image/jpeg", other, nil, kioskNow, "X-Site-ID", "s2")
		}, 403, wire.CodeForbidden},
		{"kiosk of the other site", func() (int, map[string]any) {
			return signedKiosk{"k3", kioskKey(3)}.send(t, u, "/identify", "image/jpeg", other, nil, kioskNow, "X-Site-ID", "s1")
		}, 403, wire.CodeForbidden},
		{"names another kiosk", func() (int, map[string]any) {
			return k1.send(t, u, "/identify", "image/jpeg", other, nil, kioskNow, "X-Site-ID", "s1", "X-Kiosk-ID", "k3")
		}, 403, wire.CodeForbidden},
		{"body tampered", func() (int, map[string]any) {
			return k1.send(t, u, "/identify", "image/jpeg", other, frame, kioskNow, "X-Site-ID", "s1")
		}, 401, wire.CodeUnauthorized},
		{"path changed", func() (int, map[string]any) {
			auth := wire.SignRequest("k1", kioskKey(1), "POST", "/api/v1/liveness", kioskNow, other)
			st, m, _ := do(t, "POST", u+"/identify", "", "image/jpeg", other, "Authorization", auth)
			return st, m
		}, 401, wire.CodeUnauthorized},
		{"malformed signature", func() (int, map[string]any) {
			st, m, _ := do(t, "POST", u+"/identify", "", "image/jpeg", other, "Authorization", "PC-Device id=k1,ts=1,sig=nope")
			return st, m
		}, 401, wire.CodeUnauthorized},
		{"liveness: body names another kiosk", func() (int, map[string]any) {
			return k1.send(t, u, "/liveness", "application/json", livenessBody("s1", "k3"), nil, kioskNow)
		}, 403, wire.CodeForbidden},
		{"liveness: body names another site", func() (int, map[string]any) {
			return k1.send(t, u, "/liveness", "application/json", livenessBody("s2", "k1"), nil, kioskNow)
		}, 403, wire.CodeForbidden},
		{"liveness: body tampered", func() (int, map[string]any) {
			return k1.send(t, u, "/liveness", "application/json", livenessBody("s1", ""), livenessBody("s1", "k1"), kioskNow)
		}, 401, wire.CodeUnauthorized},
		{"liveness: revoked", func() (int, map[string]any) {
			return signedKiosk{"k2", kioskKey(2)}.send(t, u, "/liveness", "application/json", livenessBody("s1", "k2"), nil, kioskNow)
		}, 401, wire.CodeUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, m := tt.send()
			if st != tt.status || errCode(m) != string(tt.code) {
				t.Fatalf("%d %v, want %d %s", st, m, tt.status, tt.code)
			}
			if msg, _ := m["error"].(map[string]any)["message"].(string); msg == "" {
				t.Error("no message")
			}
		})
	}
	if got := auditRows(t, db); got != rows {
		t.Errorf("refused requests added %d audit records", got-rows)
	}
	if ex.calls != calls {
		t.Errorf("refused requests had %d images analysed", ex.calls-calls)
	}
	// The unknown kiosk and the phone made the service ask punchd again,
	// once: the second within DefaultDeviceRefresh waited.
	if n := p.listed(); n != 2 {
		t.Errorf("punchd listed its devices %d times, want 2 (the sync, then one refresh)", n)
	}
}

// TestKioskToken: a service linked to punchd still takes the kiosk bearer
// token when configured (clients that cannot sign), and a service without
// a link takes the token alone.
func TestKioskToken(t *testing.T) {
	u, ex, _, _, _, _ := deviceServer(t, "kiosk-tok")
	frame := ex.photo(10, face(desc(1)))
	hdr := []string{"X-Site-ID", "s1", "X-Kiosk-ID", "gate-7"}
	if st, m, _ := do(t, "POST", u+"/identify", "kiosk-tok", "image/jpeg", frame, hdr...); st != 200 || m["verdict"] != "match" {
		t.Fatalf("kiosk token on a linked service: %d %v", st, m)
	}
	if st, m, _ := do(t, "POST", u+"/identify", "wrong", "image/jpeg", frame, hdr...); st != 401 || !strings.Contains(m["error"].(map[string]any)["message"].(string), "kiosk bearer token") {
		t.Fatalf("wrong kiosk token: %d %v", st, m)
	}

	svc, ex, _, _ := newTestService(t, Config{})
	srv := httptest.NewServer(NewHandler(svc, adminToken, "kiosk-tok"))
	t.Cleanup(srv.Close)
	frame = ex.photo(1, face(desc(1)))
	if st, m, _ := do(t, "POST", srv.URL+"/api/v1/identify", "kiosk-tok", "image/jpeg", frame, hdr...); st != 200 {
		t.Fatalf("kiosk token: %d %v", st, m)
	}
	// Without a link a signature proves nothing: the token is required.
	auth := wire.SignRequest("k1", kioskKey(1), "POST", "/api/v1/identify", time.Now(), frame)
	if st, m, _ := do(t, "POST", srv.URL+"/api/v1/identify", "", "image/jpeg", frame, append(hdr, "Authorization", auth)...); st != 401 || errCode(m) != "unauthorized" {
		t.Fatalf("signed request to a service without a link: %d %v", st, m)
	}
}

// TestDeviceSyncOffline: the kiosks learnt from punchd are kept in the
// store, so a restarted service whose punchd is down still verifies them;
// a failed sync keeps the copy; a kiosk punchd no longer lists is gone.
func TestDeviceSyncOffline(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "facematch.db")
	st, err := OpenStore(ctx, path, testKey)
	if err != nil {
		t.Fatal(err)
	}
	p := &fakePunchd{}
	p.add(kioskDevice("k1", "s1", kioskKey(1)))
	punchd := p.server(t)
	if n, err := (&DeviceSync{Store: st, PunchdURL: punchd.URL, Token: "face-tok"}).Once(ctx); err != nil || n != 1 {
		t.Fatalf("sync: %d %v", n, err)
	}
	st.Close()
	punchd.Close()

	// Restarted, punchd gone.
	st, err = OpenStore(ctx, path, testKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ex := &fakeExtractor{}
	svc, err := New(ctx, ex, st, Config{})
	if err != nil {
		t.Fatal(err)
	}
	ds := &DeviceSync{Store: st, PunchdURL: punchd.URL, Token: "face-tok"}
	if _, err := ds.Once(ctx); err == nil {
		t.Fatal("sync with punchd down: no error")
	}
	h := NewHandler(svc, adminToken, "")
	h.Devices = ds
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	k1 := signedKiosk{"k1", kioskKey(1)}
	if st, m := k1.send(t, srv.URL+"/api/v1", "/identify", "image/jpeg", ex.photo(1, face(desc(1))), nil, time.Now()); st != 200 || m["verdict"] != "unknown" {
		t.Fatalf("kiosk learnt before, punchd down: %d %v", st, m)
	}
	if st, m := (signedKiosk{"k2", kioskKey(2)}).send(t, srv.URL+"/api/v1", "/identify", "image/jpeg", ex.photo(2, face(desc(1))), nil, time.Now()); st != 401 || errCode(m) != "unauthorized" {
		t.Fatalf("unknown kiosk, punchd down: %d %v", st, m)
	}

	// punchd back, answering 503: the copy stays; then it lists nobody.
	p.set(true, nil)
	ds = &DeviceSync{Store: st, PunchdURL: p.server(t).URL, Token: "face-tok"}
	if _, err := ds.Once(ctx); err == nil {
		t.Fatal("sync against a 503: no error")
	}
	if _, err := ds.Device(ctx, "k1"); err != nil {
		t.Fatalf("k1 after a failed sync: %v", err)
	}
	p.set(false, []attendance.Device{})
	if n, err := ds.Once(ctx); err != nil || n != 0 {
		t.Fatalf("sync of an empty list: %d %v", n, err)
	}
	if _, err := st.device(ctx, "k1"); err != ErrNotFound {
		t.Fatalf("k1 after punchd dropped it: %v", err)
	}
}

// TestDeviceSyncRefresh: a kiosk enrolled in punchd after the last sync
// is learnt on its first request; unknown ids make the service ask punchd
// at most once per Refresh.
func TestDeviceSyncRefresh(t *testing.T) {
	u, ex, clk, _, p, _ := deviceServer(t, "")
	k5 := signedKiosk{"k5", kioskKey(5)}
	p.add(kioskDevice("k5", "s1", kioskKey(5)))
	if st, m := k5.send(t, u, "/identify", "image/jpeg", ex.photo(20, face(desc(1))), nil, clk.t); st != 200 || m["verdict"] != "match" {
		t.Fatalf("new kiosk's first request: %d %v", st, m)
	}
	if n := p.listed(); n != 2 {
		t.Fatalf("punchd listed %d times, want 2", n)
	}
	// A known kiosk costs punchd nothing.
	if st, m := k5.send(t, u, "/identify", "image/jpeg", ex.photo(21, face(desc(1))), nil, clk.t); st != 200 || p.listed() != 2 {
		t.Fatalf("second request: %d %v, %d lists", st, m, p.listed())
	}
	k6 := signedKiosk{"k6", kioskKey(6)}
	send6 := func(seed int) int {
		st, _ := k6.send(t, u, "/identify", "image/jpeg", ex.photo(seed, face(desc(1))), nil, clk.t)
		return st
	}
	// k6, unknown to punchd too, right after k5 made the service ask.
	if st := send6(22); st != 401 || p.listed() != 2 {
		t.Fatalf("unknown k6 within the refresh limit: %d, %d lists; want 401 without asking", st, p.listed())
	}
	p.add(kioskDevice("k6", "s1", kioskKey(6)))
	clk.t = clk.t.Add(DefaultDeviceRefresh - time.Second)
	if st := send6(23); st != 401 || p.listed() != 2 {
		t.Fatalf("k6 within the refresh limit: %d, %d lists; want 401 without asking", st, p.listed())
	}
	clk.t = clk.t.Add(time.Second)
	if st := send6(24); st != 200 || p.listed() != 3 {
		t.Fatalf("k6 after the refresh limit: %d, %d lists", st, p.listed())
	}
}

// TestDeviceSyncRole: a token that may not list devices (an integrator's)
// says which role it needs.
func TestDeviceSyncRole(t *testing.T) {
	_, _, _, st := newTestService(t, Config{})
	p := &fakePunchd{}
	ds := &DeviceSync{Store: st, PunchdURL: p.server(t).URL, Token: "integrator-tok"}
	if _, err := ds.Once(t.Context()); err == nil || !strings.Contains(err.Error(), "-role face") {
		t.Fatalf("integrator token: %v", err)
	}
}

// TestOpenAPICoversRoutes: the document describes exactly the routes the
// handler serves.
func TestOpenAPICoversRoutes(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	var documented, served []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" {
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	for _, r := range NewHandler(nil, "", "").Routes() {
		if strings.Contains(r, " ") { // not the catch-all
			served = append(served, r)
		}
	}
	slices.Sort(documented)
	slices.Sort(served)
	if len(served) < 8 || !slices.Equal(documented, served) {
		t.Errorf("the handler serves\n\t%s\nopenapi.json documents\n\t%s", strings.Join(served, "\n\t"), strings.Join(documented, "\n\t"))
	}
}

var _ Devices = (*DeviceSync)(nil)
