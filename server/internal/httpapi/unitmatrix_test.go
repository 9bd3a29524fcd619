package httpapi_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

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
