package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestImport: HR imports 200 employees from an XLSX file. The dry run
// lists the 3 bad rows (line and field) and writes nothing; the same file
// for real writes nothing either; once fixed, all 200 are written in one
// go, audited in the unit. A manager may not import.
func TestImport(t *testing.T) {
	base, admin, _, _ := clockedServer(t)
	u := base + "/api/v1"
	web := flowPeople(t, base, admin)
	hr, m2 := web("hr-retail"), web("m2")
	sheet := func(bad bool) []byte {
		f := excelize.NewFile()
		f.SetSheetRow("Sheet1", "A1", &[]any{"工号", "姓名", "部门", "门店", "工牌", "上级"})
		for i := range 200 {
			row := []any{fmt.Sprintf("N%03d", i), fmt.Sprintf("新员工 %d", i), "retail", "sh-jingan", fmt.Sprintf("NB-%03d", i), "E002"}
			if bad {
				switch i {
				case 10:
					row[2] = "works" // another unit
				case 50:
					row[4] = "PC-0005" // E005's badge
				case 150:
					row[1] = "" // no name
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			f.SetSheetRow("Sheet1", cell, &row)
		}
		var b bytes.Buffer
		if err := f.Write(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	type report struct {
		DryRun                             bool `json:"dry_run"`
		Rows, Valid, New, Changed, Written int
		Problems                           []struct {
			Line    int
			Field   string
			Message string
		}
	}
	post := func(b *browser, dry bool, data []byte) (int, report, string) {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/employees/import?dry_run=%t", u, dry), bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		req.Header.Set("X-CSRF-Token", b.csrf)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var r report
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
	if st, _, body := post(m2, true, sheet(false)); st != 403 {
		t.Errorf("a manager imports: %d %s", st, body)
	}
	if st, _, body := post(hr, true, []byte("\x00\x01 not a sheet")); st != 400 {
		t.Errorf("a file that is no sheet: %d %s", st, body)
	}
}
