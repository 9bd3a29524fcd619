package punchd_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/wire"
)

// TestKioskDecisions: a make-up request of E006 waits for the store
// manager E002; the kiosk of the store pulls it; the manager decides on
// the kiosk (offline: the decision travels later, signed by the kiosk);
// sent twice it is applied once; a second decision on the closed flow is
// a conflict with its state; a person who does not sign in on the kiosk
// is refused; the day reads normal.
func TestKioskDecisions(t *testing.T) {
	clk := &clock{t: t0}
	m, admin := server(t, filepath.Join(t.TempDir(), "p.db"), clk)
	base := m.URL()
	if st, eb := call(t, "PUT", base+"/api/v1/admin/users/u-m2", "Bearer "+admin, []byte(`{"login":"m2","role":"manager","department_id":"retail","employee_id":"E002","pin":"480213"}`), nil); st != 201 {
		t.Fatalf("manager: %d %+v", st, eb)
	}
	k := enroll(t, base, issueCode(t, base, admin, "sh-jingan"), clk)
	st, first, etag := pullAs(t, base, k, "", "")
	if st != 200 || first.Flows == nil || len(first.Flows) != 0 {
		t.Fatalf("first pull: %d flows %v", st, first.Flows)
	}
	flowID, _ := uuid.NewV7()
	ask := `{"id":"` + flowID.String() + `","kind":"makeup_punch","employee_id":"E006","date":"2026-11-18","time":"2026-11-18T18:05:00+08:00","direction":"out","reason":"left in a hurry"}`
	if st, eb := call(t, "POST", base+"/api/v1/approval/flow", "Bearer "+admin, []byte(ask), nil); st != 201 {
		t.Fatalf("start: %d %+v", st, eb)
	}
	st, pulled, _ := pullAs(t, base, k, first.Cursor, etag)
	if st != 200 || len(pulled.Flows) != 1 || pulled.Flows[0].ID != flowID.String() || pulled.Flows[0].WaitingFor != "E002" || pulled.Flows[0].Date != "2026-11-18" {
		t.Fatalf("the pull after the request: %d %+v", st, pulled.Flows)
	}
	send := func(ds ...wire.KioskDecision) []wire.DecisionResult {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"decisions": ds})
		req, _ := http.NewRequest("POST", base+"/api/v1/device/decisions", bytes.NewReader(body))
		req.Header.Set("Authorization", wire.SignRequest(k.id, k.key, "POST", "/api/v1/device/decisions", clk.Now(), body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out struct{ Results []wire.DecisionResult }
		if resp.StatusCode != 200 || json.Unmarshal(b, &out) != nil {
			t.Fatalf("decisions: %d %s", resp.StatusCode, b)
		}
		return out.Results
	}
	// The manager decides offline an hour after the request; the kiosk
	// syncs two hours later: the decision keeps the hour it was made.
	decided := t0.Add(time.Hour)
	clk.Set(t0.Add(3 * time.Hour))
	d1, _ := uuid.NewV7()
	approve := wire.KioskDecision{ID: d1.String(), FlowID: flowID.String(), By: "E002", Approve: true, At: decided}
	d2, _ := uuid.NewV7()
	stranger := wire.KioskDecision{ID: d2.String(), FlowID: flowID.String(), By: "E004", Approve: true}
	res := send(approve, approve, stranger)
	if len(res) != 3 || res[0].Status != "accepted" || res[0].State != "approved" || res[1].Status != "accepted" || res[2].Status != "refused" {
		t.Fatalf("results: %+v", res)
	}
	d3, _ := uuid.NewV7()
	late := wire.KioskDecision{ID: d3.String(), FlowID: flowID.String(), By: "E002", Approve: false, Reason: "changed my mind"}
	if res := send(late); res[0].Status != "conflict" || res[0].State != "approved" {
		t.Errorf("a decision after the close: %+v", res)
	}
	var flow struct {
		State     string
		Decisions []struct {
			By string
			At time.Time
		}
	}
	if st, eb := call(t, "GET", base+"/api/v1/approval/flow/"+flowID.String(), "Bearer "+admin, nil, &flow); st != 200 || flow.State != "approved" || len(flow.Decisions) != 1 || flow.Decisions[0].By != "E002" || !flow.Decisions[0].At.Equal(decided) {
		t.Errorf("the flow: %d %+v %+v, want decided by E002 at %v", st, flow, eb, decided)
	}
	// A kiosk whose clock ran ahead dates nothing in the future: a second
	// request, decided "tomorrow", is dated when punchd applies it.
	flow2, _ := uuid.NewV7()
	ask2 := `{"id":"` + flow2.String() + `","kind":"makeup_punch","employee_id":"E006","date":"2026-11-19","time":"2026-11-19T18:05:00+08:00","direction":"out","reason":"left in a hurry"}`
	if st, eb := call(t, "POST", base+"/api/v1/approval/flow", "Bearer "+admin, []byte(ask2), nil); st != 201 {
		t.Fatalf("start: %d %+v", st, eb)
	}
	d4, _ := uuid.NewV7()
	if res := send(wire.KioskDecision{ID: d4.String(), FlowID: flow2.String(), By: "E002", Approve: true, At: clk.Now().Add(24 * time.Hour)}); res[0].Status != "accepted" {
		t.Fatalf("the decision from a kiosk ahead: %+v", res)
	}
	if st, eb := call(t, "GET", base+"/api/v1/approval/flow/"+flow2.String(), "Bearer "+admin, nil, &flow); st != 200 || len(flow.Decisions) != 1 || !flow.Decisions[0].At.Equal(clk.Now()) {
		t.Errorf("the flow decided by a kiosk ahead: %d %+v %+v, want dated %v", st, flow, eb, clk.Now())
	}
	if _, after, _ := pullAs(t, base, k, "", ""); len(after.Flows) != 0 {
		t.Errorf("the decided flow is still pulled: %+v", after.Flows)
	}
	var recs struct{ Records []struct{ Status string } }
	if st, _ := call(t, "GET", base+"/api/v1/attendance/record?employee_id=E006&from=2026-11-18", "Bearer "+admin, nil, &recs); st != 200 || len(recs.Records) != 1 || recs.Records[0].Status != "normal" {
		t.Errorf("E006 on 18 November: %+v", recs.Records)
	}
}
