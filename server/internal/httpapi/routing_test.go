package httpapi_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestUnitMatrix: HR sets the approval matrix of its own unit, and only
// that: another unit's entries are kept and never shown to it, and an
// entry of a department or an approver outside the unit is refused
// without naming it. A request of the unit then follows the new route,
// and the change is in the unit's audit entries.
func TestUnitMatrix(t *testing.T) {
	base, admin, _, _ := clockedServer(t)
	u := base + "/api/v1"
	web := flowPeople(t, base, admin)
	hr, hw, m2 := web("hr-retail"), web("hr-works"), web("m2")
	type entry struct {
		DepartmentID string   `json:"department_id"`
		Kind         string   `json:"kind"`
		Approvers    []string `json:"approvers"`
	}
	type matrix struct {
		Matrix []entry `json:"matrix"`
	}
	works := entry{"works", "overtime", []string{"E003", "E001"}}
	data, _ := json.Marshal(matrix{[]entry{works}})
	if st, body := do(t, "PUT", u+"/approval/matrix", admin, data, nil); st != 200 {
		t.Fatalf("the admin sets the workshop's route: %d %s", st, body)
	}
	retail := entry{"retail", "overtime", []string{"E004", "E002"}}
	if st, body := hr.do("PUT", u+"/approval/matrix", matrix{[]entry{retail}}, true); st != 200 {
		t.Fatalf("retail HR sets its unit's route: %d %s", st, body)
	}
	var all matrix
	do(t, "GET", u+"/approval/matrix", admin, nil, &all)
	if len(all.Matrix) != 2 || !slices.ContainsFunc(all.Matrix, func(e entry) bool { return e.DepartmentID == "works" }) {
		t.Errorf("the whole matrix after retail HR's change: %+v, want the workshop's entry kept", all.Matrix)
	}
	for who, b := range map[string]*browser{"retail HR": hr, "workshop HR": hw} {
		st, body := b.do("GET", u+"/approval/matrix", nil, false)
		var m matrix
		json.Unmarshal([]byte(body), &m)
		want := "retail"
		if who == "workshop HR" {
			want = "works"
		}
		if st != 200 || len(m.Matrix) != 1 || m.Matrix[0].DepartmentID != want {
			t.Errorf("%s reads the matrix: %d %s, want its unit's entry only", who, st, body)
		}
	}
	for what, c := range map[string]struct {
		m      matrix
		secret string
	}{
		"another unit's department":   {matrix{[]entry{{"works", "makeup_punch", []string{"E003"}}}}, "works"},
		"the parent department":       {matrix{[]entry{{"hq", "makeup_punch", []string{"E002"}}}}, "hq"},
		"an approver of another unit": {matrix{[]entry{{"retail", "makeup_punch", []string{"E021"}}}}, "E021"},
		"an approver nobody is":       {matrix{[]entry{{"retail", "makeup_punch", []string{"E999"}}}}, "E999"},
	} {
		if st, body := hr.do("PUT", u+"/approval/matrix", c.m, true); st != 403 || strings.Contains(body, c.secret) {
			t.Errorf("retail HR sets %s: %d %s, want 403 naming nothing", what, st, body)
		}
	}
	if st, body := m2.do("PUT", u+"/approval/matrix", matrix{[]entry{retail}}, true); st != 403 {
		t.Errorf("a manager sets the matrix: %d %s", st, body)
	}
	if st, body := hr.do("PUT", u+"/approval/matrix", matrix{[]entry{retail, retail}}, true); st != 400 {
		t.Errorf("two routes for one department and kind: %d %s", st, body)
	}
	// E005's overtime now goes to E004, then E002.
	fid, _ := uuid.NewV7()
	var f struct {
		Route []struct {
			ApproverID string `json:"approver_id"`
		}
	}
	body := `{"id":"` + fid.String() + `","kind":"overtime","employee_id":"E005","date":"2026-11-19","minutes":30,"reason":"stock take"}`
	st, b := do(t, "POST", u+"/approval/flow", admin, []byte(body), nil)
	json.Unmarshal([]byte(b), &f)
	if st != 201 || len(f.Route) != 2 || f.Route[0].ApproverID != "E004" || f.Route[1].ApproverID != "E002" {
		t.Errorf("E005's overtime request after the change: %d %s, want E004 then E002", st, b)
	}
	_, log := hr.do("GET", u+"/admin/audit", nil, false)
	if !strings.Contains(log, `"action":"approval.matrix"`) || !strings.Contains(log, `"unit":"retail"`) {
		t.Errorf("retail HR's audit entries lack its matrix change: %.400s", log)
	}
	_, log = hw.do("GET", u+"/admin/audit", nil, false)
	if strings.Contains(log, "approval.matrix") {
		t.Errorf("workshop HR reads retail's matrix change: %.400s", log)
	}
}

// TestOwnDelegation: a manager going away hands their decisions to a
// colleague of their department, or to a manager above, for a period, by
// themselves: the delegate then sees the flows waiting for the manager.
// Someone outside the manager's reach is refused without being named;
// employees and HR delegate nothing this way.
func TestOwnDelegation(t *testing.T) {
	base, admin, _, clk := clockedServer(t)
	u := base + "/api/v1"
	web := flowPeople(t, base, admin)
	m2, e4, hr := web("m2"), web("e4"), web("hr-retail")
	fid, _ := uuid.NewV7()
	body := `{"id":"` + fid.String() + `","kind":"overtime","employee_id":"E005","date":"2026-11-19","minutes":30,"reason":"stock take"}`
	if st, b := do(t, "POST", u+"/approval/flow", admin, []byte(body), nil); st != 201 {
		t.Fatalf("E005's overtime request: %d %s", st, b)
	}
	away := func(delegate string, from, to time.Time) map[string]any {
		return map[string]any{"delegations": []map[string]any{{"delegate": delegate, "from": from, "to": to}}}
	}
	now := clk.Now()
	waiting := func() string {
		_, b := e4.do("GET", u+"/approval/flow?waiting_for=me", nil, false)
		return b
	}
	if strings.Contains(waiting(), fid.String()) {
		t.Fatalf("E004 sees E002's flow before any delegation")
	}
	if st, b := m2.do("PUT", u+"/approval/delegation", away("E004", now.Add(-time.Hour), now.Add(72*time.Hour)), true); st != 200 {
		t.Fatalf("E002 delegates to E004: %d %s", st, b)
	}
	if !strings.Contains(waiting(), fid.String()) {
		t.Errorf("E004, E002's delegate, does not see the flow waiting for E002: %s", waiting())
	}
	if st, b := e4.do("GET", u+"/approval/delegation", nil, false); st != 200 || !strings.Contains(b, `"approver":"E002"`) {
		t.Errorf("E004 reads the delegations made to them: %d %s", st, b)
	}
	for _, who := range []string{"E021", "E999"} {
		if st, b := m2.do("PUT", u+"/approval/delegation", away(who, now, now.Add(time.Hour)), true); st != 403 || strings.Contains(b, who) {
			t.Errorf("E002 delegates to %s: %d %s, want 403 naming nothing", who, st, b)
		}
	}
	if st, b := m2.do("PUT", u+"/approval/delegation", away("E004", now, now.Add(-time.Hour)), true); st != 400 {
		t.Errorf("a period that ends before it starts: %d %s", st, b)
	}
	// To the head office's manager, above the store: allowed; the new list
	// replaces the old one, so E004 no longer stands in.
	if st, b := m2.do("PUT", u+"/approval/delegation", away("E001", now, now.Add(time.Hour)), true); st != 200 {
		t.Errorf("E002 delegates to E001 above: %d %s", st, b)
	}
	if strings.Contains(waiting(), fid.String()) {
		t.Errorf("E004 still stands in for E002 after the delegation was replaced")
	}
	for who, b := range map[string]*browser{"an employee": e4, "HR": hr} {
		if st, body := b.do("PUT", u+"/approval/delegation", away("E005", now, now.Add(time.Hour)), true); st != 403 {
			t.Errorf("%s delegates: %d %s", who, st, body)
		}
	}
	if _, log := hr.do("GET", u+"/admin/audit", nil, false); strings.Count(log, `"action":"approval.delegate"`) != 2 {
		t.Errorf("retail HR's audit entries lack E002's two delegations: %.600s", log)
	}
}
