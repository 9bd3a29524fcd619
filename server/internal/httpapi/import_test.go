package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"punchclock/app/wire"
	"punchclock/server/internal/orgimport/orgimporttest"
)

// TestImport: HR imports 200 employees from an XLSX file. The dry run
// lists the 3 bad rows (line and field) and writes nothing; the same file
// for real writes nothing either; once fixed, all 200 are written in one
// go, audited in the unit. A row of another unit's department is refused
// to HR of a unit. A manager may not import.
func TestImport(t *testing.T) {
	base, admin, _, _ := clockedServer(t)
	u := base + "/api/v1"
	web := flowPeople(t, base, admin)
	hr, m2 := web("hr-retail"), web("m2")
	sheet := func(bad bool) []byte {
		b, err := orgimporttest.Sheet(bad)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	post := func(b *browser, dry bool, data []byte) (int, wire.ImportReport, string) {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/employees/import?dry_run=%t", u, dry), bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		req.Header.Set("X-CSRF-Token", b.csrf)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var r wire.ImportReport
		json.Unmarshal(body, &r)
		return resp.StatusCode, r, string(body)
	}
	count := func() int {
		var list struct{ Employees []struct{ ID string } }
		do(t, "GET", u+"/employees", admin, nil, &list)
		return len(list.Employees)
	}
	before := count()
	for _, dry := range []bool{true, false} {
		st, r, body := post(hr, dry, sheet(true))
		if st != 200 || r.Rows != 200 || r.Valid != 197 || r.Written != 0 || len(r.Problems) != 3 {
			t.Fatalf("dry run %t of the file with 3 bad rows: %d %s", dry, st, body)
		}
		for i, want := range []struct {
			line  int
			field string
		}{{12, "department"}, {52, "badge"}, {152, "name"}} {
			if p := r.Problems[i]; p.Line != want.line || p.Field != want.field {
				t.Errorf("problem %d: %+v, want line %d, %s", i, p, want.line, want.field)
			}
		}
	}
	if n := count(); n != before {
		t.Fatalf("%d employees after a dry run and a refused import, want %d", n, before)
	}
	st, r, body := post(hr, false, sheet(false))
	if st != 200 || r.Written != 200 || r.New != 200 || len(r.Problems) != 0 {
		t.Fatalf("the fixed file: %d %s", st, body)
	}
	if n := count(); n != before+200 {
		t.Errorf("%d employees after the import, want %d", n, before+200)
	}
	var e struct {
		Name      string
		BadgeCode string `json:"badge_code"`
	}
	do(t, "GET", u+"/employees/N007", admin, nil, &e)
	if e.Name != "新员工 7" || e.BadgeCode != "NB-007" {
		t.Errorf("N007 after the import: %+v", e)
	}
	if _, log := hr.do("GET", u+"/admin/audit", nil, false); !strings.Contains(log, `"action":"employees.import"`) {
		t.Errorf("retail HR's audit entries lack its import: %.400s", log)
	}
	// A department of another unit is one of the unit's HR may not use.
	req, _ := http.NewRequest("POST", u+"/employees/import?dry_run=true", strings.NewReader("id,name,department\nN900,Li,works\n"))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("X-CSRF-Token", hr.csrf)
	if resp, err := hr.client.Do(req); err != nil {
		t.Fatal(err)
	} else {
		var r wire.ImportReport
		json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if len(r.Problems) != 1 || r.Problems[0].Field != "department" || r.Problems[0].Code != "not_in_unit" {
			t.Errorf("retail HR imports into the workshop: %d %+v, want one not_in_unit problem", resp.StatusCode, r)
		}
	}
	if st, _, body := post(m2, true, sheet(false)); st != 403 {
		t.Errorf("a manager imports: %d %s", st, body)
	}
	if st, _, body := post(hr, true, []byte("\x00\x01 not a sheet")); st != 400 {
		t.Errorf("a file that is no sheet: %d %s", st, body)
	}
}
