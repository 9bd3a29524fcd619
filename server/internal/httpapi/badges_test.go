package httpapi_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"punchclock/server/internal/badges/badgestest"
)

// TestBadges: HR prints its unit's badge sheet, one card per active
// employee with a badge, which the kiosk's decoder reads back; another
// unit's department or employee is refused naming nothing; the sheet is
// in the unit's audit entries.
func TestBadges(t *testing.T) {
	base, admin, _, _ := clockedServer(t)
	u := base + "/api/v1"
	hr := flowPeople(t, base, admin)("hr-retail")
	get := func(path string) (int, []byte, string) {
		req, _ := http.NewRequest("GET", u+path, nil)
		resp, err := hr.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b, resp.Header.Get("Content-Type")
	}
	st, pdf, ctype := get("/badges?department_id=retail")
	if st != 200 || ctype != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("retail's sheet: %d %s %.100s", st, ctype, pdf)
	}
	var emps struct {
		Employees []struct {
			ID        string
			BadgeCode string `json:"badge_code"`
		}
	}
	do(t, "GET", u+"/employees?department_id=retail&active=true", admin, nil, &emps)
	var want []string
	for _, e := range emps.Employees {
		if e.BadgeCode != "" {
			want = append(want, e.BadgeCode)
		}
	}
	if len(want) < 10 {
		t.Fatalf("retail has %d badges", len(want))
	}
	read, err := badgestest.Read(pdf, len(want))
	if err != nil {
		t.Fatal(err)
	}
	for i, code := range want {
		if read[i].QR != code || read[i].Code128 != code {
			t.Errorf("card %d: QR %q, Code 128 %q; want %s", i, read[i].QR, read[i].Code128, code)
		}
	}
	for _, path := range []string{"/badges?department_id=works", "/badges?employee_id=E021", "/badges?employee_id=E999", "/badges?department_id=hq"} {
		if st, body, _ := get(path); st != 403 || strings.Contains(string(body), "E021") || strings.Contains(string(body), "works") {
			t.Errorf("retail HR prints %s: %d %s", path, st, body)
		}
	}
	if st, b := do(t, "GET", u+"/badges?site_id=muc-works", admin, nil, nil); st != 200 || !strings.HasPrefix(b, "%PDF") {
		t.Errorf("the admin prints the workshop's sheet: %d %.80s", st, b)
	}
	_, log := hr.do("GET", u+"/admin/audit", nil, false)
	if !strings.Contains(log, `"action":"badges.print"`) {
		t.Errorf("retail HR's audit entries lack its badge sheet: %.400s", log)
	}
}
