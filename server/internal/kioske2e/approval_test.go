package kioske2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	_ "modernc.org/sqlite" // the test tampers with the audit log in the database itself

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/token"
	"punchclock/app/wire"
	"punchclock/server/internal/approval"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/punchd"
)

// TestOfflineEndToEnd is the acceptance path of the manager on the kiosk:
// an out-of-fence punch asks the direct manager, who decides on the kiosk
// while it is offline, and the decision settles the day and is in the
// audit log.
//
// On Wednesday (the matrix day) E005 punches in at 08:55 with the phone
// by the Shanghai store's QR code, inside the store's geofence, and out
// at 18:05 from 3 km away: punchd keeps the punch, flags the day and
// starts an approval flow for E005's direct manager, E002. On Thursday
// at 09:20 a kiosk is enrolled (after the three refusals an enrollment
// can meet), punchd is stopped, three badges are scanned, the page
// reloads from the service worker, the punches are still queued (status
// strip, and the manager view, which the store manager opens offline
// with their badge and PIN), and the manager approves the out-of-fence
// punch there, and E006's make-up request. When punchd is back, the
// punches arrive exactly once and the strip drops to zero waiting; the
// decisions are applied: both flows are approved by E002, both days read
// normal, the audit log names E002 and the time of each decision, and
// `punchd audit verify` passes on the database, then names the entry a
// tampering edited. A badge no one has is parked in the manager's
// rejected list.
func TestOfflineEndToEnd(t *testing.T) {
	bg := context.Background()
	sh := e2etest.Matrix[1].Loc()
	wed := e2etest.MatrixDay
	// The demo's week of punches lies before the clock's start.
	clock := e2etest.NewClock(wed.At(rules.NewClock(8, 55), sh))
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: version, Now: clock.Now})

	// E005's Wednesday, from the phone. The QR code is that of a kiosk a
	// bare client enrolled (with the "used" code below). These devices
	// read the test's clock, so its moves are their clocks' too: their
	// offsets stay 0.
	fenceStore(t, s)
	used := s.IssueCode(0)
	other := enrollDirect(t, s.URL(), used, clock.Now())
	ph := activatePhone(t, s, clock, "E005")
	in := ph.punchQR(other, storeFence)
	clock.Set(t, wed.At(rules.NewClock(18, 5), sh))
	out := ph.punchQR(other, away)
	fenceID := approval.AutoID(out.ID, approval.KindOutFence)
	fence, err := s.Main().API.Approvals.Get(bg, fenceID)
	if err != nil || fence.Kind != approval.KindOutFence || fence.EmployeeID != "E005" || fence.PunchID != out.ID || fence.State != approval.Pending ||
		len(fence.Route) == 0 || fence.Route[0].ApproverID != "E002" {
		t.Fatalf("the out-of-fence flow: %+v %v", fence, err)
	}
	// Thursday morning: the Wednesday is over, and needs E002's approval:
	// the day links the pending flow and who it waits for.
	clock.Set(t, wed.AddDays(1).At(rules.NewClock(9, 20), sh))
	rec := dayOf(t, s, "E005", wed)
	if a := anomaly(rec, rules.AnomalyOutOfFence); rec.Status != rules.StatusNeedsApproval || rec.In == nil || rec.In.ID != in.ID || rec.Out == nil || rec.Out.ID != out.ID ||
		a == nil || a.PunchID != out.ID || a.Approval.State != rules.ApprovalPending || a.Approval.ApprovalID != fenceID || a.Approval.ApproverID != "E002" {
		t.Errorf("E005's Wednesday before the decision: %+v", rec)
	}

	ctx := e2etest.NewBrowser(t, 3*time.Minute, "")
	clock.Install(t, ctx, 0, "")
	openKiosk(t, ctx, s.URL())
	// Refused enrollments say why.
	for _, c := range []struct{ code, want string }{
		{"AAAA-BBBB-CCCC", "unknown"},
		{s.IssueCode(time.Nanosecond), "expired"},
		{used, "used"},
	} {
		tryEnroll(t, ctx, c.code)
		wait(t, ctx, "the "+c.want+" code message", fmt.Sprintf(`(() => { const e = document.getElementById("enroll-error"); return !!e && e.dataset.code === %q; })()`, c.want), 30*time.Second)
	}

	// The store manager (E002, badge PC-0002) has a kiosk PIN: the
	// enrollment's pull carries its verifier, for signing in offline.
	s.PutManager("E002", "retail", "480213")
	// E006 forgot to punch out on Monday (the demo's forgotten punch) and
	// asks for a make-up punch: it waits for E002 too, and the
	// enrollment's pull brings both flows to the kiosk.
	day := wed.AddDays(-2)
	if got := dayOf(t, s, "E006", day).Status; got != rules.StatusMissingOut {
		t.Errorf("E006's Monday before the make-up: %s, want %s", got, rules.StatusMissingOut)
	}
	flowID, _ := uuid.NewV7()
	flow, _, err := s.Main().API.Approvals.Start(bg, approval.Request{ID: flowID.String(), Kind: approval.KindMakeup,
		EmployeeID: "E006", Date: day, Time: day.At(rules.NewClock(18, 5), sh), Direction: attendance.DirectionOut, Reason: "left in a hurry"}, "E006")
	if err != nil || flow.Route[0].ApproverID != "E002" {
		t.Fatalf("make-up request: %+v %v", flow, err)
	}
	flows := []string{fenceID, flowID.String()}
	device := e2etest.EnrollKiosk(t, ctx, s, "sh-jingan")
	waitCached(t, ctx)
	waitStatus(t, ctx, "online", "yes", 30*time.Second)

	s.Stop()
	for _, b := range []struct{ badge, employee string }{{"PC-0005", "E005"}, {"PC-0006", "E006"}, {"PC-0007", "E007"}} {
		scanBadge(t, ctx, b.badge)
		waitConfirm(t, ctx, b.employee)
	}
	waitStatus(t, ctx, "pending", "3", 10*time.Second)

	// A reload with the server down: the service worker serves the app and
	// the queue comes back from IndexedDB.
	run(t, ctx, "reload offline", chromedp.Reload())
	wait(t, ctx, "the kiosk after the reload", `(() => { const s = document.getElementById("status"); return !!s && !!s.dataset.device; })()`, 60*time.Second)
	if got := status(t, ctx, "device"); got != device {
		t.Fatalf("after the reload the kiosk is device %q, want %q", got, device)
	}
	waitStatus(t, ctx, "pending", "3", 10*time.Second)
	var waiting string
	run(t, ctx, "read the strip", chromedp.TextContent("#st-pending", &waiting, chromedp.ByQuery))
	if !strings.Contains(waiting, "3") {
		t.Errorf("status strip shows %q waiting, want 3", waiting)
	}

	// The manager's view lists them, offline, once the manager signed in
	// with their badge and PIN: an employee's badge opens nothing, nor
	// does a wrong PIN.
	e2etest.Tap(t, ctx, "open the manager sign-in", "#open-manager")
	wait(t, ctx, "the badge prompt", `(() => { const p = document.getElementById("manager-signin"); return !!p && p.dataset.step === "badge"; })()`, 30*time.Second)
	scanBadge(t, ctx, "PC-0008")
	wait(t, ctx, "not a manager", `(() => { const m = document.getElementById("pin-msg"); return !!m && m.dataset.code === "mgr.notManager"; })()`, 30*time.Second)
	scanBadge(t, ctx, "PC-0002")
	wait(t, ctx, "the PIN field", `!!document.getElementById("pin")`, 30*time.Second)
	e2etest.EnterPIN(t, ctx, "000001")
	wait(t, ctx, "wrong PIN", `(() => { const m = document.getElementById("pin-msg"); return !!m && m.dataset.code === "mgr.wrongPin"; })()`, 30*time.Second)
	e2etest.EnterPIN(t, ctx, "480213")
	wait(t, ctx, "today's punches", `(() => { const t = document.getElementById("today"); return !!t && t.dataset.count === "3"; })()`, 30*time.Second)
	// The board of the day: the three who punched are in (late or not),
	// a colleague who did not is not in yet.
	var states map[string]string
	eval(t, ctx, `Object.fromEntries([...document.querySelectorAll("#board tr[data-employee]")].map(r => [r.dataset.employee, r.dataset.state]))`, &states)
	for _, e := range []string{"E005", "E006", "E007"} {
		if s := states[e]; s != "in" && s != "late" {
			t.Errorf("the board shows %s as %q, want in or late (board %v)", e, s, states)
		}
	}
	if s := states["E008"]; s != "not_in" {
		t.Errorf("the board shows E008 as %q, want not_in (board %v)", s, states)
	}
	if _, ok := states["E021"]; ok {
		t.Errorf("the Shanghai store manager's board shows the Munich workshop's E021: %v", states)
	}
	// Both requests wait for the manager, the out-of-fence punch named as
	// such: approved here, offline, each decision is kept to be sent.
	wait(t, ctx, "the requests waiting", fmt.Sprintf(`!!document.getElementById("approve-%s") && !!document.getElementById("approve-%s")`, flows[0], flows[1]), 30*time.Second)
	var row string
	run(t, ctx, "read the out-of-fence request", chromedp.Text(fmt.Sprintf(`#flows tr[data-flow="%s"]`, fenceID), &row, chromedp.ByQuery))
	if !strings.Contains(row, "E005") || !strings.Contains(row, "punch outside the area") || !strings.Contains(row, wed.String()) {
		t.Errorf("the out-of-fence request shows %q", row)
	}
	// Kept as artefacts: the manager view with the requests waiting, in
	// English and in Chinese.
	screenshot(t, ctx, filepath.Join(root, "var", "artefacts", "kiosk-manager.png"))
	e2etest.Tap(t, ctx, "switch to Chinese", "main.manager .actions button:last-child")
	wait(t, ctx, "the Chinese manager view", `document.body.innerText.includes("本终端今日打卡")`, 10*time.Second)
	// The automatic flow's reason is said in the manager's language, by
	// its kind, not in the server's English.
	run(t, ctx, "read the out-of-fence request in Chinese", chromedp.Text(fmt.Sprintf(`#flows tr[data-flow="%s"]`, fenceID), &row, chromedp.ByQuery))
	if !strings.Contains(row, "在考勤范围外打卡") || strings.Contains(row, "geofence") {
		t.Errorf("the out-of-fence request in Chinese shows %q", row)
	}
	screenshot(t, ctx, filepath.Join(root, "var", "artefacts", "kiosk-manager-zh.png"))
	e2etest.Tap(t, ctx, "back to English", "main.manager .actions button:last-child")
	// The view is drawn again in English before the buttons are clicked:
	// a click aimed at the Chinese layout lands wherever the English one
	// put something else.
	wait(t, ctx, "the English manager view", fmt.Sprintf(`(() => { const b = document.getElementById("approve-%s"); return document.body.innerText.includes("Attendance today") && !!b && b.innerText === "Approve"; })()`, flows[len(flows)-1]), 10*time.Second)
	decided := clock.Now()
	for _, id := range flows {
		e2etest.Tap(t, ctx, "approve", "#approve-"+id)
		wait(t, ctx, "the decision kept", fmt.Sprintf(`(() => { const r = document.querySelector('#decided tr[data-flow="%s"]'); return !!r && r.dataset.status === "queued"; })()`, id), 30*time.Second)
	}
	e2etest.Tap(t, ctx, "back to the kiosk", "#back")
	wait(t, ctx, "the kiosk screen", `(() => { const s = document.getElementById("status"); return !!s && !!s.dataset.device; })()`, 30*time.Second)

	s.Start()
	waitStatus(t, ctx, "pending", "0", 90*time.Second)
	waitStatus(t, ctx, "online", "yes", 30*time.Second)
	if got, want := employees(t, s.Punches(device)), []string{"E005", "E006", "E007"}; !slices.Equal(got, want) {
		t.Errorf("punchd has punches of %v, want %v", got, want)
	}
	if got := status(t, ctx, "rejected"); got != "0" {
		t.Errorf("%s punches rejected", got)
	}
	// A badge nobody has: the kiosk keeps it (its roster may be stale),
	// the server, knowing no one either, rejects it, and the manager sees
	// it with the server's code and message.
	scanBadge(t, ctx, "PC-9999")
	wait(t, ctx, "the unknown badge message", `window.__pcConfirms.some(e => e.outcome === "unknown")`, 30*time.Second)
	waitStatus(t, ctx, "rejected", "1", 60*time.Second)
	e2etest.OpenManager(t, ctx, "PC-0002", "480213")
	wait(t, ctx, "the rejected list", `(() => { const t = document.getElementById("rejected"); return !!t && t.dataset.count === "1"; })()`, 30*time.Second)
	run(t, ctx, "read the rejected list", chromedp.Text("#rejected tbody", &row, chromedp.ByQuery))
	if !strings.Contains(row, "PC-9999") || !strings.Contains(row, "invalid") || !strings.Contains(row, "nobody active has this badge") {
		t.Errorf("rejected list shows %q", row)
	}
	// The decisions made offline reached punchd (the kiosk shows the
	// server's answers): the flows are approved by E002, and both days
	// read normal.
	for _, id := range flows {
		wait(t, ctx, "the decision recorded", fmt.Sprintf(`(() => { const r = document.querySelector('#decided tr[data-flow="%s"]'); return !!r && r.dataset.status === "accepted"; })()`, id), 60*time.Second)
	}
	checked := clock.Now()
	for _, id := range flows {
		f, err := s.Main().API.Approvals.Get(bg, id)
		if err != nil || f.State != approval.Approved || len(f.Decisions) != 1 || f.Decisions[0].By != "E002" || !f.Decisions[0].Approve {
			t.Errorf("the flow %s after the kiosk's decision: %+v %v", id, f, err)
		}
	}
	rec = dayOf(t, s, "E005", wed)
	if a := anomaly(rec, rules.AnomalyOutOfFence); rec.Status != rules.StatusNormal || a == nil || a.Approval.State != rules.ApprovalApproved || a.Approval.ApproverID != "E002" || a.Approval.ApprovalID != fenceID {
		t.Errorf("E005's Wednesday after the approval: %+v", rec)
	}
	if got := dayOf(t, s, "E006", day).Status; got != rules.StatusNormal {
		t.Errorf("E006's Monday after the make-up: %s, want normal", got)
	}

	// The kiosk reported its health after a sync: the fleet view has its
	// version, its camera working and its queue empty.
	var health wire.Health
	for deadline := time.Now().Add(60 * time.Second); ; {
		hs, err := s.Main().Store.DeviceHealths(bg)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			if h.DeviceID == device {
				json.Unmarshal(h.Health, &health)
			}
		}
		if health.Protocol == wire.ProtocolVersion && health.Pending == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if health.Protocol != wire.ProtocolVersion || health.Camera != "ok" || health.Pending != 0 || health.AppVersion == "" {
		t.Errorf("the kiosk's last health report: %+v", health)
	}

	// The audit log, as the admin reads it, says who decided and when:
	// E002, on the test's clock, between the tap and now (punchd dates a
	// decision when it applies it, at the sync).
	log := auditLog(t, s)
	var fenceSeq int64
	for _, id := range flows {
		var found []auditEntry
		for _, e := range log {
			if e.Action == approval.ActionDecide && e.Target == id {
				found = append(found, e)
			}
		}
		if len(found) != 1 || found[0].Actor != "employee:E002" || found[0].At.Before(decided.Truncate(time.Millisecond)) || found[0].At.After(checked) ||
			!strings.Contains(string(found[0].Detail), `"approve":true`) {
			t.Errorf("the audit log's decisions on %s: %+v, want one by employee:E002 between %s and %s", id, found, decided.UTC(), checked.UTC())
		}
		if id == fenceID && len(found) == 1 {
			fenceSeq = found[0].Seq
		}
	}
	if fenceSeq == 0 {
		t.FailNow()
	}

	// `punchd audit verify` on the database: the chain holds, every entry
	// of it; edited, the decision's entry is named.
	s.Stop()
	got, err := auditVerify(t, s.DB())
	var n int
	if _, serr := fmt.Sscanf(got, "audit log holds: %d entries", &n); err != nil || serr != nil || n != len(log) {
		t.Fatalf("punchd audit verify on an untouched log of %d entries: %v\n%s", len(log), err, got)
	}
	tamper(t, s.DB(), fenceSeq, "employee:E003")
	got, err = auditVerify(t, s.DB())
	if err == nil || !strings.Contains(got, fmt.Sprintf("audit log broken at entry %d: its content does not match its hash", fenceSeq)) {
		t.Errorf("punchd audit verify after entry %d was edited: %v\n%s", fenceSeq, err, got)
	}
}

// enrollDirect uses up an enrollment code with a bare HTTP client and
// returns what punchd gave the kiosk.
func enrollDirect(t *testing.T, base, code string, now time.Time) wire.EnrollResponse {
	t.Helper()
	pub, _, _ := ed25519.GenerateKey(nil)
	body, _ := json.Marshal(wire.EnrollRequest{Protocol: wire.ProtocolVersion, Code: code, PublicKey: pub, Name: "other", DeviceTime: now})
	resp, err := http.Post(base+"/api/v1/devices/enroll", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out wire.EnrollResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.DeviceID == "" {
		t.Fatalf("enroll with a bare client: %s %v", resp.Status, err)
	}
	return out
}

// What TestOfflineEndToEnd needs of the out-of-fence path: the Shanghai
// store's geofence, a phone of an employee that punches by the kiosk's
// QR code from Go, the audit log read as an admin does, and the real
// `punchd audit verify` run on the server's database.

// storeFence is the centre of the geofence the test gives the Shanghai
// store (200 m around it); away is 3 km north of it.
var (
	storeFence = attendance.Location{Lat: 31.2243, Lng: 121.4453, AccuracyM: 20}
	away       = attendance.Location{Lat: 31.2500, Lng: 121.4453, AccuracyM: 20}
)

// adminCall sends an API request with the demo admin's token and decodes
// the answer into out; a status other than want fails the test.
func adminCall(t *testing.T, s *e2etest.Server, method, path string, body []byte, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.Main().Demo.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %s %s", method, path, resp.Status, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
}

// fenceStore has punchd check the Shanghai store's phone (QR) punches
// against a 200 m geofence around storeFence, as an admin sets it.
func fenceStore(t *testing.T, s *e2etest.Server) {
	t.Helper()
	var cfg struct{ Config map[string]any }
	adminCall(t, s, http.MethodGet, "/api/v1/rule/config?site_id=sh-jingan", nil, http.StatusOK, &cfg)
	rs, ok := cfg.Config["rules"].(map[string]any)
	if !ok {
		t.Fatalf("the store's rule config has no rules: %v", cfg.Config)
	}
	rs["sites"] = []any{map[string]any{"id": "sh-jingan", "fences": []any{map[string]any{"center": map[string]any{"lat": storeFence.Lat, "lng": storeFence.Lng}, "radius_m": 200}}}}
	rs["location"] = map[string]any{"check_methods": []string{"qr"}}
	body, _ := json.Marshal(cfg.Config)
	adminCall(t, s, http.MethodPut, "/api/v1/rule/config?site_id=sh-jingan", body, http.StatusOK, nil)
}

// phone is an employee's phone, activated with the admin's one-time link
// and driven from Go with its own key and punch chain: the phone page
// sends no GPS fix, and a fix is what the geofence judges.
type phone struct {
	t        *testing.T
	s        *e2etest.Server
	clock    *e2etest.Clock
	employee string
	id       string
	key      ed25519.PrivateKey
	chain    wire.Chain
}

// activatePhone activates a phone for employee.
func activatePhone(t *testing.T, s *e2etest.Server, clock *e2etest.Clock, employee string) *phone {
	t.Helper()
	var link struct{ Code string }
	adminCall(t, s, http.MethodPost, "/api/v1/admin/phone-links", []byte(`{"employee_id":"`+employee+`"}`), http.StatusCreated, &link)
	pub, key, _ := ed25519.GenerateKey(nil)
	body, _ := json.Marshal(wire.EnrollRequest{Protocol: wire.ProtocolVersion, Code: link.Code, PublicKey: pub, DeviceTime: clock.Now()})
	resp, err := http.Post(s.URL()+"/api/v1/phones/activate", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var act wire.EnrollResponse
	if err := json.NewDecoder(resp.Body).Decode(&act); err != nil || resp.StatusCode != http.StatusOK || act.DeviceID == "" {
		t.Fatalf("activate the phone of %s: %s %+v %v", employee, resp.Status, act, err)
	}
	return &phone{t: t, s: s, clock: clock, employee: employee, id: act.DeviceID, key: key}
}

// punchQR scans the QR code kiosk shows now, signs the punch with the
// phone's GPS fix at, sends it and checks punchd accepts it.
func (p *phone) punchQR(kiosk wire.EnrollResponse, at attendance.Location) attendance.Punch {
	p.t.Helper()
	now := p.clock.Now()
	id, _ := uuid.NewV7()
	pu := attendance.Punch{ID: id.String(), EmployeeID: p.employee, DeviceID: p.id, Method: attendance.MethodQR, DeviceTime: now, EstTime: now,
		Evidence: attendance.Evidence{QRToken: string(token.Generate(kiosk.DeviceID, kiosk.QRSecret, now))}, Location: &at}
	sp, next, err := p.chain.Next(&pu, p.key)
	if err != nil {
		p.t.Fatal(err)
	}
	p.chain = next
	body, _ := json.Marshal(wire.BatchRequest{Protocol: wire.ProtocolVersion, DeviceID: p.id, SentAt: now, Punches: []wire.SignedPunch{sp}})
	req, _ := http.NewRequest(http.MethodPost, p.s.URL()+"/api/v1/device/punches", bytes.NewReader(body))
	req.Header.Set("Authorization", wire.SignRequest(p.id, p.key, http.MethodPost, "/api/v1/device/punches", now, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	var res wire.BatchResponse
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != http.StatusOK || len(res.Results) != 1 || res.Results[0].Status != "accepted" {
		p.t.Fatalf("the phone's punch at %+v: %s %+v %v", at, resp.Status, res.Results, err)
	}
	return pu
}

// dayOf is punchd's record of an employee's day.
func dayOf(t *testing.T, s *e2etest.Server, employee string, day rules.Date) rules.DayRecord {
	t.Helper()
	res, err := s.Main().API.Days.Records(context.Background(), dayrec.Filter{EmployeeID: employee, From: day, To: day})
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("the day %s of %s: %+v %v", day, employee, res.Records, err)
	}
	return res.Records[0]
}

// anomaly is the day's anomaly code, or nil.
func anomaly(r rules.DayRecord, code rules.AnomalyCode) *rules.Anomaly {
	for i := range r.Anomalies {
		if r.Anomalies[i].Code == code {
			return &r.Anomalies[i]
		}
	}
	return nil
}

// auditEntry is an entry of GET /api/v1/admin/audit.
type auditEntry struct {
	Seq    int64           `json:"seq"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Target string          `json:"target"`
	Detail json.RawMessage `json:"detail"`
}

// auditLog reads the whole audit log as the admin does.
func auditLog(t *testing.T, s *e2etest.Server) []auditEntry {
	t.Helper()
	var page struct {
		Entries []auditEntry `json:"entries"`
		Next    string       `json:"next"`
	}
	adminCall(t, s, http.MethodGet, "/api/v1/admin/audit?limit=1000", nil, http.StatusOK, &page)
	if page.Next != "" {
		t.Fatalf("the audit log has over 1000 entries")
	}
	return page.Entries
}

// auditVerify runs `punchd -db DB audit verify`, the command TestMain
// builds, and returns what it printed.
func auditVerify(t *testing.T, db string) (string, error) {
	t.Helper()
	<-punchdCmd.done
	if punchdCmd.err != nil {
		t.Fatal(punchdCmd.err)
	}
	out, err := exec.Command(punchdCmd.bin, "-db", db, "audit", "verify").CombinedOutput()
	return string(out), err
}

// tamper edits an audit entry's actor in the database itself, as someone
// with write access to the file would.
func tamper(t *testing.T, db string, seq int64, actor string) {
	t.Helper()
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	res, err := raw.ExecContext(context.Background(), `UPDATE audit_log SET actor = ? WHERE seq = ?`, actor, seq)
	if err != nil {
		t.Fatalf("tamper with audit entry %d: %v", seq, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("tamper with audit entry %d: %d rows changed, %v", seq, n, err)
	}
}
