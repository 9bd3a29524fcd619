package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/server/internal/store"
)

// TestApprovalFlow: an employee asks for a make-up punch from the browser;
// it waits for their direct manager, who approves it once however often
// the decision is sent; a colleague may not decide; a decision after the
// close is a conflict; the monthly cap holds; a request is withdrawn by
// who asked; every step is in the audit log.
func TestApprovalFlow(t *testing.T) {
	ctx := context.Background()
	base, admin, st, clk := clockedServer(t)
	u := base + "/api/v1"
	web := flowPeople(t, base, admin)
	e4, e5, m2 := web("e4"), web("e5"), web("m2")
	type flow struct {
		ID, State string
		Route     []struct {
			ApproverID string `json:"approver_id"`
		}
		Decisions []struct{ By string }
	}
	decode := func(body string) flow {
		var f flow
		json.Unmarshal([]byte(body), &f)
		return f
	}
	makeup := func(day, clock string) map[string]any {
		id, _ := uuid.NewV7()
		return map[string]any{"id": id.String(), "kind": "makeup_punch", "employee_id": "E004", "date": day, "time": day + "T" + clock + "+08:00", "direction": "in", "reason": "forgot my badge"}
	}
	req := makeup("2026-11-18", "08:58:00")
	st1, body := e4.do("POST", u+"/approval/flow", req, true)
	f := decode(body)
	if st1 != 201 || f.State != "pending" || len(f.Route) != 1 || f.Route[0].ApproverID != "E002" {
		t.Fatalf("start: %d %s", st1, body)
	}
	if st, body := e4.do("POST", u+"/approval/flow", req, true); st != 200 || decode(body).ID != f.ID {
		t.Errorf("the same request again: %d %s", st, body)
	}
	if st, body := e5.do("POST", u+"/approval/flow", makeup("2026-11-18", "09:00:00"), true); st != 403 || strings.Contains(body, "E004") {
		t.Errorf("a colleague asks for E004: %d %s", st, body)
	}
	var waiting struct{ Flows []flow }
	if st, body := m2.do("GET", u+"/approval/flow?waiting_for=me", nil, false); st != 200 || json.Unmarshal([]byte(body), &waiting) != nil || len(waiting.Flows) != 1 || waiting.Flows[0].ID != f.ID {
		t.Fatalf("the manager's waiting list: %d %s", st, body)
	}
	dec, _ := uuid.NewV7()
	decision := map[string]any{"id": dec.String(), "approve": true}
	if st, body := e5.do("POST", u+"/approval/flow/"+f.ID+"/decide", decision, true); st != 403 {
		t.Errorf("a colleague decides: %d %s", st, body)
	}
	for range 2 {
		st, body := m2.do("POST", u+"/approval/flow/"+f.ID+"/decide", decision, true)
		if g := decode(body); st != 200 || g.State != "approved" || len(g.Decisions) != 1 || g.Decisions[0].By != "E002" {
			t.Errorf("the manager approves: %d %s", st, body)
		}
	}
	other, _ := uuid.NewV7()
	if st, body := m2.do("POST", u+"/approval/flow/"+f.ID+"/decide", map[string]any{"id": other.String(), "approve": false, "reason": "changed my mind"}, true); st != 409 {
		t.Errorf("a second decision after the close: %d %s", st, body)
	}
	// The cap: three make-up punches a month (the one approved counts).
	for i, clock := range []string{"18:30:00", "09:01:00"} {
		if st, body := e4.do("POST", u+"/approval/flow", makeup("2026-11-1"+string(rune('6'+i)), clock), true); st != 201 {
			t.Fatalf("make-up %d: %d %s", i+2, st, body)
		}
	}
	if st, body := e4.do("POST", u+"/approval/flow", makeup("2026-11-19", "09:02:00"), true); st != 400 || !strings.Contains(body, "cap_reached") {
		t.Errorf("the 4th make-up punch of November: %d %s", st, body)
	}
	var mine struct{ Flows []flow }
	e4.do("GET", u+"/approval/flow?employee_id=E004&state=pending", nil, false)
	_, body = e4.do("GET", u+"/approval/flow?employee_id=E004&state=pending", nil, false)
	json.Unmarshal([]byte(body), &mine)
	if len(mine.Flows) != 2 {
		t.Fatalf("E004's pending flows: %s", body)
	}
	if st, _ := m2.do("POST", u+"/approval/flow/"+mine.Flows[0].ID+"/withdraw", nil, true); st != 403 {
		t.Errorf("the manager withdraws E004's request: %d", st)
	}
	if st, body := e4.do("POST", u+"/approval/flow/"+mine.Flows[0].ID+"/withdraw", nil, true); st != 200 || decode(body).State != "withdrawn" {
		t.Errorf("withdraw: %d %s", st, body)
	}
	// Settings: bounds and references are checked; a delegate decides
	// for an approver who is away.
	for _, bad := range []string{`{"policy":{"monthly_cap":100,"window_days":30}}`, `{"policy":{"monthly_cap":3,"window_days":30},"matrix":[{"department_id":"nope","kind":"overtime","approvers":["E001"]}]}`,
		`{"policy":{"monthly_cap":3,"window_days":30},"delegations":[{"approver":"E002","delegate":"E002","from":"2026-11-01T00:00:00Z","to":"2026-12-01T00:00:00Z"}]}`} {
		if st, body := do(t, "PUT", u+"/approval/settings", admin, []byte(bad), nil); st != 400 {
			t.Errorf("settings %s: %d %s", bad, st, body)
		}
	}
	away := `{"policy":{"monthly_cap":3,"window_days":30},"delegations":[{"approver":"E002","delegate":"E005","from":"2026-11-19T00:00:00Z","to":"2026-11-21T00:00:00Z"}]}`
	if st, body := do(t, "PUT", u+"/approval/settings", admin, []byte(away), nil); st != 200 {
		t.Fatalf("settings: %d %s", st, body)
	}
	var stand struct{ Flows []flow }
	if _, body := e5.do("GET", u+"/approval/flow?waiting_for=me", nil, false); json.Unmarshal([]byte(body), &stand) != nil || len(stand.Flows) != 1 || stand.Flows[0].ID != mine.Flows[1].ID {
		t.Errorf("the delegate's waiting list: %s", body)
	}
	d2, _ := uuid.NewV7()
	st2, body := e5.do("POST", u+"/approval/flow/"+mine.Flows[1].ID+"/decide", map[string]any{"id": d2.String(), "approve": false, "reason": "you were in Munich"}, true)
	if g := decode(body); st2 != 200 || g.State != "rejected" || len(g.Decisions) != 1 || g.Decisions[0].By != "E005" {
		t.Errorf("the delegate rejects: %d %s", st2, body)
	}
	clk.Add(48 * time.Hour) // the delegation is over
	e5 = web("e5")
	if st, body := e5.do("GET", u+"/approval/flow/"+mine.Flows[1].ID, nil, false); st != 403 {
		t.Errorf("the delegate after the delegation: %d %s", st, body)
	}
	es, err := st.AuditEntries(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	for _, e := range es {
		log = append(log, e.Action+" "+e.Actor+" "+e.Target)
	}
	all := strings.Join(log, "\n")
	for _, want := range []string{"approval.start E004 " + f.ID, "approval.decide employee:E002 " + f.ID, "approval.withdraw E004 " + mine.Flows[0].ID} {
		if !strings.Contains(all, want) {
			t.Errorf("audit log lacks %q:\n%s", want, all)
		}
	}
	if n := strings.Count(all, "approval.decide employee:E002 "+f.ID); n != 1 {
		t.Errorf("the decision sent twice is logged %d times", n)
	}
}

// TestApprovedMakeupFixesTheDay: E006 forgot to punch out on Wednesday
// 18 November (the demo's forgotten punch); the day reads missing_out.
// E006 asks for a make-up punch at 18:05, the direct manager approves,
// and the day record reads normal at once, the raw punches untouched.
func TestApprovedMakeupFixesTheDay(t *testing.T) {
	base, admin, st := demoStoreServer(t)
	u := base + "/api/v1"
	web := flowPeople(t, base, admin)
	day := func() *record {
		t.Helper()
		var res struct{ Records []record }
		if st, body := do(t, "GET", u+"/attendance/record?employee_id=E006&from=2026-11-18&to=2026-11-18", admin, nil, &res); st != 200 {
			t.Fatalf("records: %d %s", st, body)
		}
		return find(res.Records, "E006", "2026-11-18")
	}
	if r := day(); r == nil || r.Status != "missing_out" {
		t.Fatalf("before: %+v, want missing_out", r)
	}
	before, err := st.Punches(context.Background(), storePunchesOf("E006"))
	if err != nil {
		t.Fatal(err)
	}
	e6, m2 := web("e6"), web("m2")
	id, _ := uuid.NewV7()
	st1, body := e6.do("POST", u+"/approval/flow", map[string]any{"id": id.String(), "kind": "makeup_punch", "employee_id": "E006", "date": "2026-11-18",
		"time": "2026-11-18T18:05:00+08:00", "direction": "out", "reason": "left in a hurry"}, true)
	if st1 != 201 {
		t.Fatalf("ask: %d %s", st1, body)
	}
	if r := day(); r.Status != "missing_out" {
		t.Errorf("while pending: %s, want still missing_out", r.Status)
	}
	dec, _ := uuid.NewV7()
	if st, body := m2.do("POST", u+"/approval/flow/"+id.String()+"/decide", map[string]any{"id": dec.String(), "approve": true}, true); st != 200 {
		t.Fatalf("approve: %d %s", st, body)
	}
	if r := day(); r.Status != "normal" {
		t.Errorf("after approval: %+v, want normal", r)
	}
	after, _ := st.Punches(context.Background(), storePunchesOf("E006"))
	if len(after) != len(before) {
		t.Errorf("raw punches of E006: %d before, %d after: an approval must not add or edit a punch", len(before), len(after))
	}
}

func storePunchesOf(emp string) store.PunchFilter { return store.PunchFilter{EmployeeID: emp} }

// TestMakeupPolicyPerRuleSet: a site's rule set carries its own make-up
// policy, which comes before the approval settings' for the employees of
// that site; a policy out of bounds is refused naming its field.
func TestMakeupPolicyPerRuleSet(t *testing.T) {
	base, admin, _, _ := clockedServer(t)
	u := base + "/api/v1"
	e4 := flowPeople(t, base, admin)("e4")
	var cfg struct{ Config map[string]any }
	if st, body := do(t, "GET", u+"/rule/config?site_id=sh-jingan", admin, nil, &cfg); st != 200 {
		t.Fatalf("the store's rules: %d %s", st, body)
	}
	put := func(makeup map[string]any) (int, string) {
		cfg.Config["rules"].(map[string]any)["makeup"] = makeup
		data, _ := json.Marshal(cfg.Config)
		return do(t, "PUT", u+"/rule/config?site_id=sh-jingan", admin, data, nil)
	}
	if st, body := put(map[string]any{"monthly_cap": 1, "window_days": 200}); st != 400 || !strings.Contains(body, "makeup.window_days") {
		t.Errorf("a window of 200 days: %d %s", st, body)
	}
	if st, body := put(map[string]any{"monthly_cap": 1, "window_days": 30}); st != 200 {
		t.Fatalf("one make-up punch a month at the store: %d %s", st, body)
	}
	makeup := func(day string) map[string]any {
		id, _ := uuid.NewV7()
		return map[string]any{"id": id.String(), "kind": "makeup_punch", "employee_id": "E004", "date": day, "time": day + "T08:58:00+08:00", "direction": "in", "reason": "forgot my badge"}
	}
	if st, body := e4.do("POST", u+"/approval/flow", makeup("2026-11-18"), true); st != 201 {
		t.Fatalf("the first make-up punch of November: %d %s", st, body)
	}
	if st, body := e4.do("POST", u+"/approval/flow", makeup("2026-11-17"), true); st != 400 || !strings.Contains(body, "cap_reached") || !strings.Contains(body, "1 make-up") {
		t.Errorf("the second, under the store's cap of 1: %d %s", st, body)
	}
}
