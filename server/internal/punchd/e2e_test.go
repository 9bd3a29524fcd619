package punchd_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/token"
	"punchclock/app/wire"
	"punchclock/server/internal/demo"
	"punchclock/server/internal/postgres/pgtest"
	"punchclock/server/internal/punchd"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var t0 = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai

// backends runs fn against SQLite and PostgreSQL.
func backends(t *testing.T, fn func(t *testing.T, db string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "p.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.NewDB(t)) })
}

// server starts punchd with the demo organisation on a free port.
func server(t *testing.T, db string, clk *clock) (*punchd.Main, string) {
	t.Helper()
	m := serve(t, punchd.Config{DB: db, DataDir: t.TempDir(), Demo: true, Now: clk.Now, WebDir: t.TempDir()})
	return m, m.Demo.AdminToken
}

// serve opens punchd with cfg and serves it on a free port until the test
// ends.
func serve(t *testing.T, cfg punchd.Config) *punchd.Main {
	t.Helper()
	m, err := punchd.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	go m.Serve()
	t.Cleanup(func() { m.Close() })
	return m
}

// kiosk is a minimal device client.
type kiosk struct {
	t     *testing.T
	base  string
	id    string
	key   ed25519.PrivateKey
	chain wire.Chain
	clk   *clock
	// qrSecret is the kiosk's rotating-QR key from enrollment.
	qrSecret []byte
}

func call(t *testing.T, method, url, auth string, body []byte, out any) (int, wire.ErrorBody) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var eb wire.ErrorBody
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(data, &eb); err != nil {
			t.Fatalf("%s %s: %d with a body that is not an error envelope: %s", method, url, resp.StatusCode, data)
		}
		return resp.StatusCode, eb
	}
	if out != nil && (resp.StatusCode == 200 || resp.StatusCode == 201) {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, data)
		}
	}
	return resp.StatusCode, eb
}

func jsonBody(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func issueCode(t *testing.T, base, admin, site string) string {
	t.Helper()
	var out struct{ Code string }
	if st, eb := call(t, "POST", base+"/api/v1/admin/enrollment-codes", "Bearer "+admin, []byte(`{"site_id":"`+site+`"}`), &out); st != 201 {
		t.Fatalf("issue code: %d %+v", st, eb)
	}
	return out.Code
}

func enroll(t *testing.T, base, code string, clk *clock) *kiosk {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	var resp wire.EnrollResponse
	st, eb := call(t, "POST", base+"/api/v1/devices/enroll", "", jsonBody(t, wire.EnrollRequest{Protocol: 1, Code: code, PublicKey: pub, Name: "test kiosk", DeviceTime: clk.Now()}), &resp)
	if st != 200 {
		t.Fatalf("enroll: %d %+v", st, eb)
	}
	// The Shanghai store's nineteen: its own staff only.
	if resp.DeviceID == "" || resp.Site.ID != "sh-jingan" || len(resp.QRSecret) < 16 || !resp.Pull.Full || len(resp.Pull.Employees) != 19 {
		t.Fatalf("enroll response: device %q site %q secret %d bytes, full %v, %d employees", resp.DeviceID, resp.Site.ID, len(resp.QRSecret), resp.Pull.Full, len(resp.Pull.Employees))
	}
	return &kiosk{t: t, base: base, id: resp.DeviceID, key: priv, clk: clk, qrSecret: resp.QRSecret}
}

// punch makes and signs the kiosk's next punch for an employee at device
// time at.
func (k *kiosk) punch(emp string, at time.Time) wire.SignedPunch {
	k.t.Helper()
	id, _ := uuid.NewV7()
	p := attendance.Punch{ID: id.String(), EmployeeID: emp, DeviceID: k.id, Method: attendance.MethodBadge,
		DeviceTime: at, EstTime: at, Evidence: attendance.Evidence{BadgeCode: "PC-" + emp[1:]}}
	sp, next, err := k.chain.Next(&p, k.key)
	if err != nil {
		k.t.Fatal(err)
	}
	k.chain = next
	return sp
}

func (k *kiosk) send(ps []wire.SignedPunch) (int, wire.BatchResponse, wire.ErrorBody) {
	k.t.Helper()
	body := jsonBody(k.t, wire.BatchRequest{Protocol: 1, DeviceID: k.id, SentAt: k.clk.Now(), Punches: ps})
	return k.sendRaw(body)
}

func (k *kiosk) sendRaw(body []byte) (int, wire.BatchResponse, wire.ErrorBody) {
	k.t.Helper()
	auth := wire.SignRequest(k.id, k.key, "POST", "/api/v1/device/punches", k.clk.Now(), body)
	var resp wire.BatchResponse
	st, eb := call(k.t, "POST", k.base+"/api/v1/device/punches", auth, body, &resp)
	return st, resp, eb
}

func statuses(rs []wire.PunchResult) string {
	var b []string
	for _, r := range rs {
		s := r.Status
		if r.Code != "" {
			s += ":" + string(r.Code)
		}
		b = append(b, s)
	}
	return strings.Join(b, " ")
}

// TestEndToEnd is the foundation's acceptance path: enroll a device, send a
// signed batch, re-send it, send a batch with one tampered punch, read the
// punches back through the API.
func TestEndToEnd(t *testing.T) {
	backends(t, func(t *testing.T, db string) {
		clk := &clock{t: t0}
		m, admin := server(t, db, clk)
		base := m.URL()
		k := enroll(t, base, issueCode(t, base, admin, "sh-jingan"), clk)

		// A signed batch of three.
		batch := []wire.SignedPunch{
			k.punch("E004", t0.Add(-3*time.Minute)),
			k.punch("E005", t0.Add(-2*time.Minute)),
			k.punch("E006", t0.Add(-time.Minute)),
		}
		st, resp, eb := k.send(batch)
		if st != 200 || statuses(resp.Results) != "accepted accepted accepted" {
			t.Fatalf("first batch: %d %+v %s", st, eb, statuses(resp.Results))
		}
		if !resp.ServerTime.Equal(t0) || resp.OffsetMS != 0 {
			t.Errorf("server time %v offset %d", resp.ServerTime, resp.OffsetMS)
		}

		// The same batch again changes nothing.
		st, resp, _ = k.send(batch)
		if st != 200 || statuses(resp.Results) != "duplicate duplicate duplicate" {
			t.Fatalf("replayed batch: %d %s", st, statuses(resp.Results))
		}

		// A batch with its middle punch tampered with in transit.
		next := []wire.SignedPunch{
			k.punch("E007", t0.Add(10*time.Second)),
			k.punch("E008", t0.Add(20*time.Second)),
			k.punch("E009", t0.Add(30*time.Second)),
		}
		tampered := append([]wire.SignedPunch(nil), next...)
		tampered[1].Body = bytes.Replace(next[1].Body, []byte(`"E008"`), []byte(`"E010"`), 1)
		st, resp, _ = k.send(tampered)
		if st != 200 || statuses(resp.Results) != "accepted rejected:invalid accepted" {
			t.Fatalf("tampered batch: %d %s", st, statuses(resp.Results))
		}
		if !strings.Contains(resp.Results[1].Message, "signature") {
			t.Errorf("tampered punch message %q does not name the signature", resp.Results[1].Message)
		}
		if got := resp.Results[2].Flags; len(got) != 1 || got[0] != wire.FlagChainGap {
			t.Errorf("punch after the refused one: flags %v, want chain_gap", got)
		}
		// The genuine punch, sent again, fills the gap.
		st, resp, _ = k.send(next)
		if st != 200 || statuses(resp.Results) != "duplicate accepted duplicate" {
			t.Fatalf("genuine batch after tampering: %d %s", st, statuses(resp.Results))
		}

		// Read back through the API: six punches, by time, none from E010.
		var page struct {
			Punches []struct {
				attendance.Punch
				TrueTime time.Time `json:"true_time"`
				Status   string
				Signed   json.RawMessage `json:"signed_body"`
				Sig      []byte
			}
		}
		from := t0.Add(-time.Hour).Format(time.RFC3339)
		if st, eb := call(t, "GET", base+"/api/v1/punches?device_id="+k.id+"&from="+from, "Bearer "+admin, nil, &page); st != 200 {
			t.Fatalf("list punches: %d %+v", st, eb)
		}
		var got []string
		for _, p := range page.Punches {
			got = append(got, p.EmployeeID)
			if !ed25519.Verify(k.key.Public().(ed25519.PublicKey), p.Signed, p.Sig) {
				t.Errorf("punch %s: stored body and signature do not verify", p.ID)
			}
		}
		if strings.Join(got, ",") != "E004,E005,E006,E007,E008,E009" {
			t.Errorf("punches read back: %v", got)
		}
		var one struct {
			attendance.Punch
			Status string
			Addr   string
		}
		if st, _ := call(t, "GET", base+"/api/v1/punches/"+page.Punches[0].ID, "Bearer "+admin, nil, &one); st != 200 || one.EmployeeID != "E004" || one.Status != "accepted" || one.Addr != "127.0.0.1" {
			t.Errorf("get punch: %d %+v", st, one)
		}
		// Nothing in the API edits or deletes a punch.
		for _, method := range []string{"PUT", "PATCH", "DELETE"} {
			if st, eb := call(t, method, base+"/api/v1/punches/"+page.Punches[0].ID, "Bearer "+admin, []byte(`{}`), nil); st != 404 || eb.Error.Code != wire.CodeNotFound {
				t.Errorf("%s punch: %d %+v, want 404 not_found", method, st, eb)
			}
		}
	})
}

// count returns how many punches the store holds and the device's chain head.
func count(t *testing.T, m *punchd.Main, deviceID string) string {
	t.Helper()
	ps, err := m.Store.Punches(context.Background(), storeFilterAll())
	if err != nil {
		t.Fatal(err)
	}
	d, err := m.Store.Device(context.Background(), deviceID)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d punches, head %d %s", len(ps), d.LastSeq, d.LastHash)
}

// TestBadInput sends what a broken or hostile client might, and checks each
// gets its clear code and changes nothing.
func TestBadInput(t *testing.T) {
	backends(t, func(t *testing.T, db string) {
		clk, m, admin, k := kioskWithPunch(t, db)
		base := m.URL()
		before := count(t, m, k.id)
		unchanged := func(what string) {
			t.Helper()
			if after := count(t, m, k.id); after != before {
				t.Errorf("%s changed the store: %s, was %s", what, after, before)
			}
		}
		expect := func(what string, st int, eb wire.ErrorBody, wantStatus int, wantCode wire.Code) {
			t.Helper()
			if st != wantStatus || eb.Error.Code != wantCode || eb.Error.Message == "" {
				t.Errorf("%s: %d %+v, want %d %s with a message", what, st, eb, wantStatus, wantCode)
			}
			unchanged(what)
		}

		st, _, eb := k.sendRaw([]byte(`{"protocol":1,"device_id":`))
		expect("malformed JSON", st, eb, 400, wire.CodeInvalid)
		st, _, eb = k.sendRaw([]byte(`{"protocol":1} {"protocol":1}`))
		expect("two JSON values", st, eb, 400, wire.CodeInvalid)
		st, _, eb = k.sendRaw([]byte(``))
		expect("empty body", st, eb, 400, wire.CodeInvalid)

		old := jsonBody(t, wire.BatchRequest{Protocol: 0, DeviceID: k.id, Punches: []wire.SignedPunch{k.punch("E005", t0)}})
		k.chain.Seq-- // that punch was never accepted; reuse its seq
		st, _, eb = k.sendRaw(old)
		expect("protocol 0", st, eb, 400, wire.CodeInvalid)

		huge := bytes.Repeat([]byte(" "), 5<<20)
		st, _, eb = k.sendRaw(huge)
		expect("body over the limit", st, eb, 413, wire.CodeTooLarge)

		many := make([]wire.SignedPunch, wire.MaxBatch+1)
		for i := range many {
			many[i] = wire.SignedPunch{Body: json.RawMessage(`{}`), Sig: make([]byte, 64)}
		}
		st, _, eb = k.send(many)
		expect("too many punches", st, eb, 413, wire.CodeTooLarge)

		// Request authentication.
		body := jsonBody(t, wire.BatchRequest{Protocol: 1, DeviceID: k.id})
		st, eb = call(t, "POST", base+"/api/v1/device/punches", "", body, nil)
		expect("no authorization", st, eb, 401, wire.CodeUnauthorized)
		_, otherKey, _ := ed25519.GenerateKey(nil)
		st, eb = call(t, "POST", base+"/api/v1/device/punches", wire.SignRequest(k.id, otherKey, "POST", "/api/v1/device/punches", t0, body), body, nil)
		expect("request signed by another key", st, eb, 401, wire.CodeUnauthorized)
		st, eb = call(t, "POST", base+"/api/v1/device/punches", wire.SignRequest("dev-nope", otherKey, "POST", "/api/v1/device/punches", t0, body), body, nil)
		expect("unknown device", st, eb, 401, wire.CodeUnauthorized)
		st, eb = call(t, "POST", base+"/api/v1/device/punches", wire.SignRequest(k.id, k.key, "POST", "/api/v1/device/punches", t0, body), append(body, ' '), nil)
		expect("body changed after signing", st, eb, 401, wire.CodeUnauthorized)

		// Per-punch refusals: the batch answers 200, the punch is rejected,
		// and nothing is stored.
		type punchCase struct {
			name string
			make func() wire.SignedPunch
			code wire.Code
		}
		sign := func(p attendance.Punch) wire.SignedPunch {
			sp, err := wire.SignPunch(&p, k.key)
			if err != nil {
				t.Fatal(err)
			}
			return sp
		}
		base1 := func(emp string, at time.Time) attendance.Punch {
			id, _ := uuid.NewV7()
			return attendance.Punch{ID: id.String(), EmployeeID: emp, DeviceID: k.id, Method: attendance.MethodBadge,
				DeviceTime: at, EstTime: at, Seq: k.chain.Seq + 1, Prev: k.chain.Hash}
		}
		firstID := ""
		if ps, _ := m.Store.Punches(context.Background(), storeFilterAll()); len(ps) > 0 {
			firstID = ps[0].ID
		}
		cases := []punchCase{
			{"far future", func() wire.SignedPunch { return sign(base1("E005", t0.Add(3*time.Hour))) }, wire.CodeInvalid},
			{"far past", func() wire.SignedPunch { return sign(base1("E005", t0.AddDate(0, -3, 0))) }, wire.CodeInvalid},
			{"year 1970", func() wire.SignedPunch { return sign(base1("E005", time.Unix(1, 0).UTC())) }, wire.CodeInvalid},
			{"unknown employee", func() wire.SignedPunch { return sign(base1("E999", t0)) }, wire.CodeInvalid},
			{"unknown method", func() wire.SignedPunch { p := base1("E005", t0); p.Method = "telepathy"; return sign(p) }, wire.CodeInvalid},
			{"not a UUIDv7", func() wire.SignedPunch { p := base1("E005", t0); p.ID = "1234"; return sign(p) }, wire.CodeInvalid},
			{"other device's punch", func() wire.SignedPunch { p := base1("E005", t0); p.DeviceID = "dev-x"; return sign(p) }, wire.CodeInvalid},
			{"bad signature", func() wire.SignedPunch { sp := sign(base1("E005", t0)); sp.Sig[0] ^= 1; return sp }, wire.CodeInvalid},
			{"broken chain", func() wire.SignedPunch { p := base1("E005", t0); p.Prev = strings.Repeat("0", 64); return sign(p) }, wire.CodeConflict},
			{"chain fork", func() wire.SignedPunch { p := base1("E005", t0); p.Seq, p.Prev = 1, ""; return sign(p) }, wire.CodeConflict},
			{"id reused with other content", func() wire.SignedPunch { p := base1("E005", t0); p.ID = firstID; return sign(p) }, wire.CodeConflict},
			{"not JSON", func() wire.SignedPunch {
				return wire.SignedPunch{Body: json.RawMessage(`"x"`), Sig: ed25519.Sign(k.key, []byte(`"x"`))}
			}, wire.CodeInvalid},
		}
		for _, c := range cases {
			st, resp, eb := k.send([]wire.SignedPunch{c.make()})
			if st != 200 || len(resp.Results) != 1 || resp.Results[0].Status != wire.StatusRejected || resp.Results[0].Code != c.code || resp.Results[0].Message == "" {
				t.Errorf("%s: %d %+v %+v, want rejected %s", c.name, st, eb, resp.Results, c.code)
			}
			unchanged(c.name)
		}

		// Enrollment codes.
		code := issueCode(t, base, admin, "sh-jingan")
		enroll(t, base, code, clk)
		pub, _, _ := ed25519.GenerateKey(nil)
		req := func(code string) []byte {
			return jsonBody(t, wire.EnrollRequest{Protocol: 1, Code: code, PublicKey: pub})
		}
		st, eb = call(t, "POST", base+"/api/v1/devices/enroll", "", req(code), nil)
		if st != 409 || eb.Error.Code != wire.CodeConflict {
			t.Errorf("code used twice: %d %+v", st, eb)
		}
		st, eb = call(t, "POST", base+"/api/v1/devices/enroll", "", req("AAAA-BBBB-CCCC"), nil)
		if st != 401 || eb.Error.Code != wire.CodeUnauthorized {
			t.Errorf("unknown code: %d %+v", st, eb)
		}
		late := issueCode(t, base, admin, "sh-jingan")
		clk.Set(t0.Add(25 * time.Hour))
		st, eb = call(t, "POST", base+"/api/v1/devices/enroll", "", req(late), nil)
		if st != 410 || eb.Error.Code != wire.CodeExpired {
			t.Errorf("expired code: %d %+v", st, eb)
		}
		clk.Set(t0)
		st, eb = call(t, "POST", base+"/api/v1/devices/enroll", "", []byte(`{"protocol":1,"code":"X","public_key":"AAAA"}`), nil)
		if st != 400 || eb.Error.Code != wire.CodeInvalid {
			t.Errorf("short public key: %d %+v", st, eb)
		}

		// Admin writes are strict about fields.
		st, eb = call(t, "PUT", base+"/api/v1/employees/E100", "Bearer "+admin, []byte(`{"name":"New","department_id":"retail","activ":true}`), nil)
		if st != 400 || eb.Error.Code != wire.CodeInvalid || !strings.Contains(eb.Error.Message, "activ") {
			t.Errorf("misspelt field: %d %+v", st, eb)
		}
		st, eb = call(t, "PUT", base+"/api/v1/employees/E100", "Bearer "+admin, []byte(`{"name":"New","department_id":"nope","active":true}`), nil)
		if st != 400 || !strings.Contains(eb.Error.Message, "department") {
			t.Errorf("unknown department: %d %+v", st, eb)
		}
		st, eb = call(t, "PUT", base+"/api/v1/employees/E100", "Bearer "+admin, []byte(`{"name":"New","department_id":"retail","badge_code":"PC-0001","active":true}`), nil)
		if st != 409 || eb.Error.Code != wire.CodeConflict {
			t.Errorf("badge code in use: %d %+v", st, eb)
		}
		st, eb = call(t, "PUT", base+"/api/v1/departments/hq", "Bearer "+admin, []byte(`{"name":"HQ","parent_id":"retail"}`), nil)
		if st != 400 || !strings.Contains(eb.Error.Message, "cycle") {
			t.Errorf("department cycle: %d %+v", st, eb)
		}
		st, eb = call(t, "PUT", base+"/api/v1/sites/x", "Bearer "+admin, []byte(`{"name":"X","zone":"Mars/Olympus"}`), nil)
		if st != 400 || !strings.Contains(eb.Error.Message, "zone") {
			t.Errorf("bad zone: %d %+v", st, eb)
		}
		st, eb = call(t, "GET", base+"/api/v1/employees", "", nil, nil)
		if st != 401 {
			t.Errorf("no token: %d %+v", st, eb)
		}
		st, eb = call(t, "GET", base+"/api/v1/punches?from=yesterday", "Bearer "+admin, nil, nil)
		if st != 400 || !strings.Contains(eb.Error.Message, "RFC 3339") {
			t.Errorf("bad time: %d %+v", st, eb)
		}

		// A revoked device is refused everywhere.
		if st, eb := call(t, "POST", base+"/api/v1/admin/devices/"+k.id+"/revoke", "Bearer "+admin, nil, nil); st != 200 {
			t.Fatalf("revoke: %d %+v", st, eb)
		}
		before = count(t, m, k.id)
		st, _, eb = k.send([]wire.SignedPunch{k.punch("E005", t0)})
		expect("revoked device", st, eb, 401, wire.CodeUnauthorized)
	})
}

// TestClockCorrection: a kiosk whose clock is an hour slow, and that has not
// learnt its offset, gets its punches corrected and flagged.
func TestClockCorrection(t *testing.T) {
	clk := &clock{t: t0}
	m, admin := server(t, filepath.Join(t.TempDir(), "p.db"), clk)
	k := enroll(t, m.URL(), issueCode(t, m.URL(), admin, "sh-jingan"), clk)
	slow := t0.Add(-time.Hour)
	id, _ := uuid.NewV7()
	p := attendance.Punch{ID: id.String(), EmployeeID: "E004", DeviceID: k.id, Method: attendance.MethodBadge, DeviceTime: slow.Add(-5 * time.Minute)}
	sp, _, err := k.chain.Next(&p, k.key)
	if err != nil {
		t.Fatal(err)
	}
	body := jsonBody(t, wire.BatchRequest{Protocol: 1, DeviceID: k.id, SentAt: slow, Punches: []wire.SignedPunch{sp}})
	st, resp, eb := k.sendRaw(body)
	if st != 200 || statuses(resp.Results) != "accepted" {
		t.Fatalf("slow clock: %d %+v %s", st, eb, statuses(resp.Results))
	}
	if resp.OffsetMS != time.Hour.Milliseconds() {
		t.Errorf("offset = %d ms, want 3600000", resp.OffsetMS)
	}
	if f := strings.Join(resp.Results[0].Flags, ","); f != "clock_estimated,clock_skew" {
		t.Errorf("flags = %s", f)
	}
	got, err := m.Store.Punch(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(-5 * time.Minute); !got.TrueTime.Equal(want) {
		t.Errorf("true time %v, want %v", got.TrueTime, want)
	}
	d, _ := m.Store.Device(context.Background(), k.id)
	if d.OffsetMS != time.Hour.Milliseconds() {
		t.Errorf("device offset %d", d.OffsetMS)
	}
}

// TestDemoSeed checks the demo organisation the README promises.
func TestDemoSeed(t *testing.T) {
	clk := &clock{t: t0}
	m, admin := server(t, filepath.Join(t.TempDir(), "p.db"), clk)
	ctx := context.Background()
	sites, _ := m.Store.Sites(ctx)
	depts, _ := m.Store.Departments(ctx)
	emps, _ := m.Store.Employees(ctx, storeEmployeesAll())
	devs, _ := m.Store.Devices(ctx)
	ps, _ := m.Store.Punches(ctx, storeFilterAll())
	if len(sites) != 2 || len(depts) != 3 || len(emps) != 30 || len(devs) != 1 || len(ps) < 100 || admin == "" {
		t.Errorf("demo: %d sites, %d departments, %d employees, %d devices, %d punches, token %q", len(sites), len(depts), len(emps), len(devs), len(ps), admin)
	}
	for _, e := range emps {
		if e.BadgeCode == "" {
			t.Errorf("employee %s has no badge", e.ID)
		}
	}
	if err := attendance.CheckTree(depts); err != nil {
		t.Error(err)
	}
	for _, f := range []string{demo.AdminTokenFile, demo.KioskKeyFile, demo.KioskIDFile} {
		if _, err := os.Stat(filepath.Join(m.Config.DataDir, f)); err != nil {
			t.Errorf("demo file: %v", err)
		}
	}
	// Opening again does not seed twice and finds the same token.
	m2, err := punchd.Open(ctx, punchd.Config{DB: m.Config.DB, DataDir: m.Config.DataDir, Demo: true, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if m2.Demo.Seeded || m2.Demo.AdminToken != admin {
		t.Errorf("second open: %+v", m2.Demo)
	}
}

// TestPhoneQR: an employee's phone, activated with a one-time link, punches
// with the kiosk's rotating QR token as proof of presence; an old token and
// a reused one are refused with their messages.
func TestPhoneQR(t *testing.T) {
	backends(t, func(t *testing.T, db string) {
		clk := &clock{t: t0.Add(4 * time.Second)}
		m, admin := server(t, db, clk)
		base := m.URL()
		kio := enroll(t, base, issueCode(t, base, admin, "sh-jingan"), clk)

		var link struct{ Code, URL string }
		if st, eb := call(t, "POST", base+"/api/v1/admin/phone-links", "Bearer "+admin, []byte(`{"employee_id":"E005"}`), &link); st != 201 || !strings.Contains(link.URL, "/p?c=") {
			t.Fatalf("phone link: %d %+v %+v", st, eb, link)
		}
		pub, priv, _ := ed25519.GenerateKey(nil)
		// A phone code does not enroll a kiosk.
		if st, eb := call(t, "POST", base+"/api/v1/devices/enroll", "", jsonBody(t, wire.EnrollRequest{Protocol: 1, Code: link.Code, PublicKey: pub}), nil); st != 401 {
			t.Errorf("phone code at kiosk enrollment: %d %+v", st, eb)
		}
		var act wire.EnrollResponse
		if st, eb := call(t, "POST", base+"/api/v1/phones/activate", "", jsonBody(t, wire.EnrollRequest{Protocol: 1, Code: link.Code, PublicKey: pub, Name: "Pixel"}), &act); st != 200 {
			t.Fatalf("activate: %d %+v", st, eb)
		}
		if act.Employee == nil || act.Employee.ID != "E005" || len(act.QRSecret) != 0 || len(act.Pull.Employees) != 1 || act.Pull.Employees[0].ID != "E005" || len(act.Pull.Departments) != 0 {
			t.Fatalf("activation response: employee %+v, secret %d bytes, pull employees %+v", act.Employee, len(act.QRSecret), act.Pull.Employees)
		}
		// A used link does not activate a second phone.
		if st, _ := call(t, "POST", base+"/api/v1/phones/activate", "", jsonBody(t, wire.EnrollRequest{Protocol: 1, Code: link.Code, PublicKey: pub}), nil); st != 409 {
			t.Errorf("link used twice: %d", st)
		}
		phone := &kiosk{t: t, base: base, id: act.DeviceID, key: priv, clk: clk}

		qrPunch := func(emp string, method attendance.Method, tok string, at time.Time) wire.SignedPunch {
			id, _ := uuid.NewV7()
			p := attendance.Punch{ID: id.String(), EmployeeID: emp, DeviceID: phone.id, Method: method, DeviceTime: at, EstTime: at,
				Evidence: attendance.Evidence{QRToken: tok}}
			sp, next, err := phone.chain.Next(&p, priv)
			if err != nil {
				t.Fatal(err)
			}
			phone.chain = next
			return sp
		}
		now := clk.Now()
		tok := string(token.Generate(kio.id, kio.qrSecret, now))
		first := qrPunch("E005", attendance.MethodQR, tok, now.Add(2*time.Second))
		st, resp, eb := phone.send([]wire.SignedPunch{first})
		if st != 200 || statuses(resp.Results) != "accepted" {
			t.Fatalf("phone punch: %d %+v %+v", st, eb, resp.Results)
		}
		var stored attendance.Punch
		json.Unmarshal(first.Body, &stored)
		got, err := m.Store.Punch(context.Background(), stored.ID)
		if err != nil || !got.TrueTime.Equal(t0) || got.SiteID != "sh-jingan" || got.EmployeeID != "E005" {
			t.Errorf("stored phone punch: time %v (want the token's step %v), site %q, employee %q, %v", got.TrueTime, t0, got.SiteID, got.EmployeeID, err)
		}

		cases := []struct {
			name string
			sp   wire.SignedPunch
			code wire.Code
			msg  string
		}{
			{"reused token", qrPunch("E005", attendance.MethodQR, tok, now.Add(5*time.Second)), wire.CodeConflict, "already punched with this QR code"},
			// A second visit to the same code after it expired: the
			// employee is told it was used, not that it is old.
			{"reused token, expired since", qrPunch("E005", attendance.MethodQR, tok, now.Add(time.Minute)), wire.CodeConflict, "already punched with this QR code"},
			{"old token", qrPunch("E005", attendance.MethodQR, string(token.Generate(kio.id, kio.qrSecret, now.Add(-time.Minute))), now), wire.CodeExpired, "expired"},
			{"forged token", qrPunch("E005", attendance.MethodQR, string(token.Generate(kio.id, bytes.Repeat([]byte{7}, 32), now)), now), wire.CodeInvalid, "not a QR code of one of our kiosks"},
			{"token of a phone", qrPunch("E005", attendance.MethodQR, string(token.Generate(phone.id, bytes.Repeat([]byte{7}, 32), now)), now), wire.CodeInvalid, "not a QR code"},
			{"no token", qrPunch("E005", attendance.MethodQR, "", now), wire.CodeInvalid, "needs the kiosk's QR token"},
			{"someone else", qrPunch("E006", attendance.MethodQR, tok, now), wire.CodeInvalid, "for employee E005 only"},
			{"badge from a phone", qrPunch("E005", attendance.MethodBadge, tok, now), wire.CodeInvalid, "method qr"},
		}
		for _, c := range cases {
			st, resp, eb := phone.send([]wire.SignedPunch{c.sp})
			if st != 200 || len(resp.Results) != 1 || resp.Results[0].Code != c.code || !strings.Contains(resp.Results[0].Message, c.msg) {
				t.Errorf("%s: %d %+v %+v, want %s %q", c.name, st, eb, resp.Results, c.code, c.msg)
			}
		}
		// The token of the next step is fresh again.
		clk.Set(now.Add(10 * time.Second))
		next := qrPunch("E005", attendance.MethodQR, string(token.Generate(kio.id, kio.qrSecret, now.Add(10*time.Second))), now.Add(11*time.Second))
		if st, resp, _ := phone.send([]wire.SignedPunch{next}); st != 200 || statuses(resp.Results) != "accepted+chain_gap" && statuses(resp.Results) != "accepted" {
			t.Errorf("next step: %d %s", st, statuses(resp.Results))
		}
	})
}
