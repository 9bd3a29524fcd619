package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"punchclock/app/attendance"
	"punchclock/server/internal/audit"
)

// TestEmployeesConsole: the list is scoped (retail HR its unit, the
// retail manager their subtree), searchable and paged, with the
// positions in use and each employee's left flag judged at punchd's
// clock in their site's zone; HR edits an employee of its unit (badge,
// manager, position, leaving date), audited; every bad field is named
// by code; a taken badge, an unknown manager and department are refused
// next to their fields; invalid UTF-8 and NUL are invalid; a manager and
// HR of another unit are refused naming nothing.
func TestEmployeesConsole(t *testing.T) {
	base, admin, st, _ := clockedServer(t)
	u := base + "/api/v1"
	web := flowPeople(t, base, admin)
	hr, hw, m2 := web("hr-retail"), web("hr-works"), web("m2")

	type list struct {
		Employees []struct {
			attendance.Employee
			Left bool `json:"left"`
		} `json:"employees"`
		Total     int      `json:"total"`
		Positions []string `json:"positions"`
	}
	get := func(b *browser, query string) list {
		t.Helper()
		var l list
		code, body := b.do("GET", u+"/employees"+query, nil, false)
		if code != 200 || json.Unmarshal([]byte(body), &l) != nil {
			t.Fatalf("GET /employees%s: %d %s", query, code, body)
		}
		return l
	}
	if l := get(hr, ""); l.Total != 18 || strings.Join(l.Positions, ",") != "sales,store manager" {
		t.Errorf("retail HR lists %d employees, positions %v; want 18 and sales, store manager", l.Total, l.Positions)
	}
	if l := get(hr, "?limit=5&offset=15"); l.Total != 18 || len(l.Employees) != 3 || l.Employees[0].ID != "E018" {
		t.Errorf("the last page: %d of %d from %v", len(l.Employees), l.Total, l.Employees)
	}
	if l := get(m2, "?q=PC-0004"); l.Total != 1 || l.Employees[0].ID != "E004" {
		t.Errorf("the manager searches a badge: %+v", l)
	}
	if l := get(m2, "?q=E021"); l.Total != 0 {
		t.Errorf("the manager finds someone outside their subtree: %+v", l)
	}

	// HR edits E005: badge, manager, position, leaving date (yesterday in
	// Shanghai: left at punchd's clock, 2026-11-20 20:00 there).
	e5 := attendance.Employee{ID: "E005", Name: "Edited 编辑", DepartmentID: "retail", SiteID: "sh-jingan", ManagerID: "E002",
		BadgeCode: "PC-5005", Position: "cashier 收银", Active: true, LeavingDate: "2026-11-19"}
	if code, body := hr.do("PUT", u+"/employees/E005", e5, true); code != 200 {
		t.Fatalf("HR edits E005: %d %s", code, body)
	}
	got, err := st.Employee(t.Context(), "E005")
	if err != nil || got.BadgeCode != "PC-5005" || got.LeavingDate != "2026-11-19" || got.Position != "cashier 收银" || got.ManagerID != "E002" {
		t.Errorf("E005 stored: %+v %v", got, err)
	}
	if l := get(hr, "?q=cashier"); l.Total != 1 || !l.Employees[0].Left {
		t.Errorf("E005 past their leaving date: %+v", l)
	}
	if l := get(hr, "?active=true"); l.Total != 17 {
		t.Errorf("active=true lists %d, want 17 (E005 has left)", l.Total)
	}
	e5.LeavingDate = "2026-11-20" // today: still working
	hr.do("PUT", u+"/employees/E005", e5, true)
	if l := get(hr, "?q=E005"); l.Total != 1 || l.Employees[0].Left {
		t.Errorf("E005 on their last day: %+v", l)
	}
	entries, _ := st.AuditEntries(t.Context(), 0, 10000)
	audited := 0
	for _, e := range entries {
		if e.Action == audit.ActionEmployee && e.Target == "E005" && strings.HasPrefix(e.Actor, "user:") && strings.Contains(string(e.Detail), "leaving_date") {
			audited++
		}
	}
	if audited != 2 {
		t.Errorf("%d employee.put entries for E005, want 2", audited)
	}

	// Every bad field by code.
	for _, c := range []struct {
		name string
		edit func(*attendance.Employee)
		want string // field:code, ...
	}{
		{"a taken badge and no name", func(e *attendance.Employee) { e.BadgeCode, e.Name = "PC-0004", "" }, "name:required,badge_code:taken"},
		{"no name, a bad date", func(e *attendance.Employee) { e.Name, e.LeavingDate = " ", "2026-02-30" }, "name:required,leaving_date:format"},
		{"a taken badge", func(e *attendance.Employee) { e.BadgeCode = "PC-0004" }, "badge_code:taken"},
		{"an unknown manager", func(e *attendance.Employee) { e.ManagerID = "E999" }, "manager_id:unknown"},
		{"their own manager", func(e *attendance.Employee) { e.ManagerID = "E005" }, "manager_id:self"},
		{"an unknown site", func(e *attendance.Employee) { e.SiteID = "nowhere" }, "site_id:unknown"},
	} {
		x := e5
		c.edit(&x)
		code, body := hr.do("PUT", u+"/employees/E005", x, true)
		var eb struct {
			Error struct {
				Code   string                    `json:"code"`
				Fields []attendance.FieldProblem `json:"fields"`
			} `json:"error"`
		}
		json.Unmarshal([]byte(body), &eb)
		var fs []string
		for _, f := range eb.Error.Fields {
			fs = append(fs, f.Field+":"+f.Code)
		}
		// A taken badge alone is a conflict, as it was before the fields.
		wantStatus, wantCode := 400, "invalid"
		if c.want == "badge_code:taken" {
			wantStatus, wantCode = 409, "conflict"
		}
		if code != wantStatus || eb.Error.Code != wantCode || strings.Join(fs, ",") != c.want {
			t.Errorf("%s: %d %s, want %s with %s", c.name, code, body, wantCode, c.want)
		}
	}
	for name, raw := range map[string]string{
		"invalid UTF-8": "{\"id\":\"E005\",\"name\":\"\xff\xfe\",\"department_id\":\"retail\",\"active\":true}",
		"a NUL":         `{"id":"E005","name":"A\u0000B","department_id":"retail","active":true}`,
	} {
		if code, body := hr.do("PUT", u+"/employees/E005", raw, true); code != 400 || !strings.Contains(body, `"invalid"`) {
			t.Errorf("%s: %d %s", name, code, body)
		}
	}

	// Refused, naming nothing: the manager, HR of another unit, and
	// retail HR moving someone out of its unit.
	for name, c := range map[string]struct {
		b *browser
		e attendance.Employee
	}{
		"the retail manager":        {m2, e5},
		"workshop HR":               {hw, e5},
		"retail HR out of its unit": {hr, func() attendance.Employee { x := e5; x.DepartmentID = "works"; return x }()},
	} {
		if code, body := c.b.do("PUT", u+"/employees/E005", c.e, true); code != 403 || strings.Contains(body, "E005") {
			t.Errorf("%s: %d %s", name, code, body)
		}
	}
	if got, _ := st.Employee(t.Context(), "E005"); got.DepartmentID != "retail" || got.LeavingDate != "2026-11-20" {
		t.Errorf("E005 after the refusals: %+v", got)
	}
}
