package punchd_test

import (
	"path/filepath"
	"testing"

	"punchclock/app/pin"
	"punchclock/app/wire"
)

// TestKioskManagers: a manager given a kiosk PIN reaches the kiosks of
// their site with the next pull (not a 304), as a verifier the kiosk
// checks offline; another site's manager and a PIN-less one do not; a
// weak PIN is refused; removing the PIN removes them from the kiosk.
func TestKioskManagers(t *testing.T) {
	clk := &clock{t: t0}
	m, admin := server(t, filepath.Join(t.TempDir(), "p.db"), clk)
	base := m.URL()
	k := enroll(t, base, issueCode(t, base, admin, "sh-jingan"), clk)
	pull := func(etag string) (int, wire.PullResponse, string) {
		t.Helper()
		return pullAs(t, base, k, "", etag)
	}
	st, first, etag := pull("")
	if st != 200 || first.Managers == nil || len(first.Managers) != 0 {
		t.Fatalf("first pull: %d, managers %v", st, first.Managers)
	}
	put := func(id, body string) (int, wire.ErrorBody) {
		t.Helper()
		return call(t, "PUT", base+"/api/v1/admin/users/"+id, "Bearer "+admin, []byte(body), nil)
	}
	if st, eb := put("u-m2", `{"login":"m2","role":"manager","department_id":"retail","employee_id":"E002","pin":"123456"}`); st != 400 {
		t.Errorf("a run of digits as PIN: %d %+v", st, eb)
	}
	for id, body := range map[string]string{
		"u-m2": `{"login":"m2","role":"manager","department_id":"retail","employee_id":"E002","pin":"480213"}`,
		"u-m3": `{"login":"m3","role":"manager","department_id":"works","employee_id":"E003","pin":"907153"}`,
		"u-h1": `{"login":"h1","role":"hr","unit":"*","employee_id":"E004"}`,
	} {
		if st, eb := put(id, body); st != 201 {
			t.Fatalf("account %s: %d %+v", id, st, eb)
		}
	}
	st, after, _ := pull(etag)
	if st != 200 || len(after.Managers) != 1 {
		t.Fatalf("pull after the PINs: %d, managers %+v", st, after.Managers)
	}
	mg := after.Managers[0]
	if mg.EmployeeID != "E002" || mg.Role != "manager" || mg.DepartmentID != "retail" || !pin.Check(mg.PINHash, "480213") || pin.Check(mg.PINHash, "480214") {
		t.Errorf("the Shanghai kiosk's manager: %+v", mg)
	}
	if st, eb := put("u-m2", `{"login":"m2","role":"manager","department_id":"retail","employee_id":"E002","pin":"-"}`); st != 200 {
		t.Fatalf("remove the PIN: %d %+v", st, eb)
	}
	if _, gone, _ := pull(""); len(gone.Managers) != 0 {
		t.Errorf("after the PIN was removed: %+v", gone.Managers)
	}
}
