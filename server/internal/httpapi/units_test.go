package httpapi_test

import (
	"strings"
	"testing"

	"punchclock/server/internal/auth"
)

// TestUnitsAndPINs: an administrator moves an HR account to another
// business unit (a department, or head office "*"; a unit that is no
// department is refused) and clears a manager's kiosk PIN; both are
// audited with what changed. HR may do neither.
func TestUnitsAndPINs(t *testing.T) {
	base, admin, st, _ := clockedServer(t)
	u := base + "/api/v1/admin/users/"
	web := flowPeople(t, base, admin)
	hr := web("hr-retail")
	if code, body := do(t, "PUT", u+"u-m2", admin, []byte(`{"login":"m2","role":"manager","department_id":"retail","employee_id":"E002","pin":"482916"}`), nil); code != 200 || !strings.Contains(body, `"has_pin":true`) {
		t.Fatalf("a PIN for the manager: %d %s", code, body)
	}
	// In this order: the account ends at head office, moved from works.
	for _, c := range []struct {
		unit string
		want int
	}{{"works", 200}, {"*", 200}, {"nowhere", 400}} {
		body := `{"login":"hr-retail","role":"hr","unit":"` + c.unit + `"}`
		if code, got := do(t, "PUT", u+"u-hr", admin, []byte(body), nil); code != c.want {
			t.Errorf("unit %q: %d %s, want %d", c.unit, code, got, c.want)
		}
	}
	if x, err := st.User(t.Context(), "u-hr"); err != nil || x.Unit != auth.AllUnits || x.PasswordHash == "" {
		t.Errorf("u-hr after the changes: unit %q, password kept %v (%v)", x.Unit, x.PasswordHash != "", err)
	}
	if code, body := do(t, "PUT", u+"u-m2", admin, []byte(`{"login":"m2","role":"manager","department_id":"retail","employee_id":"E002","pin":"-"}`), nil); code != 200 || !strings.Contains(body, `"has_pin":false`) {
		t.Errorf("the PIN cleared: %d %s", code, body)
	}
	if code, body := hr.do("PUT", u+"u-m2", map[string]string{"login": "m2", "role": "manager", "department_id": "retail", "employee_id": "E002", "pin": "-"}, true); code != 403 || strings.Contains(body, "m2") {
		t.Errorf("HR clears a PIN: %d %s", code, body)
	}
	entries, _ := st.AuditEntries(t.Context(), 0, 10000)
	var got []string
	for _, e := range entries {
		d := string(e.Detail)
		switch {
		case e.Action == auth.ActionPutUser && e.Target == "u-hr" && strings.Contains(d, `"unit":"*"`) && strings.Contains(d, `"unit_before":"works"`):
			got = append(got, "unit")
		case e.Action == auth.ActionPutUser && e.Target == "u-m2" && strings.Contains(d, `"pin_cleared":true`):
			got = append(got, "pin")
		}
	}
	if strings.Join(got, " ") != "unit pin" {
		t.Errorf("audited: %v, want the unit change and the PIN cleared", got)
	}
}
