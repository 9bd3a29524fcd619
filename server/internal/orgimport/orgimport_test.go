package orgimport_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	unicodeenc "golang.org/x/text/encoding/unicode"

	"punchclock/app/attendance"
	"punchclock/server/internal/orgimport"
)

var org = orgimport.Org{
	Departments: []attendance.Department{{ID: "hq", Name: "Head Office"}, {ID: "retail", Name: "门店", ParentID: "hq"}, {ID: "works", Name: "车间", ParentID: "hq"}},
	Sites:       []attendance.Site{{ID: "sh", Name: "Shanghai"}},
	Employees: []attendance.Employee{
		{ID: "E001", Name: "Boss", DepartmentID: "hq", BadgeCode: "PC-0001", Active: true, Version: 7},
		{ID: "E021", Name: "Worker", DepartmentID: "works", BadgeCode: "PC-0021", Active: true},
	},
}

// TestReadFormats: the same sheet as UTF-8 CSV (with a BOM), as GB18030
// CSV (Excel on a Chinese Windows) and as XLSX reads the same rows, with
// Chinese headers found by name and an unknown column noted.
func TestReadFormats(t *testing.T) {
	csvText := "\ufeff工号,姓名,部门,门店,工牌,备注\nE100,张伟,门店,sh,PC-0100,新员工\nE101,Anna,retail,,PC-0101,\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(csvText[3:])
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	for r, line := range strings.Split(strings.TrimSpace(csvText[3:]), "\n") {
		for c, v := range strings.Split(line, ",") {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			f.SetCellValue("Sheet1", cell, v)
		}
	}
	var xlsx bytes.Buffer
	if err := f.Write(&xlsx); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"UTF-8 CSV": []byte(csvText), "GB18030 CSV": []byte(gb), "XLSX": xlsx.Bytes()} {
		s, err := orgimport.Read(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(s.Rows) != 2 || s.Rows[0].Line != 2 || s.Rows[0].Cells["name"] != "张伟" || s.Rows[0].Cells["department"] != "门店" || s.Rows[1].Cells["badge"] != "PC-0101" {
			t.Errorf("%s: rows %+v", name, s.Rows)
		}
		if len(s.Problems) != 0 || len(s.Notes) != 1 || !strings.Contains(s.Notes[0].Message, "备注") {
			t.Errorf("%s: problems %+v, notes %+v; want the 备注 column noted", name, s.Problems, s.Notes)
		}
		xs, problems := orgimport.Check(s, org)
		if len(problems) != 0 || len(xs) != 2 || xs[0].DepartmentID != "retail" || xs[0].SiteID != "sh" || !xs[0].Active {
			t.Errorf("%s: checked %+v, problems %+v", name, xs, problems)
		}
	}
	utf16, _ := unicodeenc.UTF16(unicodeenc.LittleEndian, unicodeenc.UseBOM).NewEncoder().String(strings.ReplaceAll(csvText[3:], ",", "\t"))
	if s, err := orgimport.Read([]byte(utf16)); err != nil || len(s.Rows) != 2 || s.Rows[0].Cells["name"] != "张伟" {
		t.Errorf("Excel's tab-separated Unicode text: %+v %v", s, err)
	}
	for _, bad := range [][]byte{nil, []byte("PK\x03\x04 not a zip"), {0x81, 0x30, 0x41, 0xff}, []byte("id,name\x00,department\n")} {
		if _, err := orgimport.Read(bad); err == nil {
			t.Errorf("%q read as a sheet", bad)
		}
	}
}

// TestCheck: every row's problem, with its line and field; good rows
// pass, an update keeps the employee's version; the unit limits where
// HR may put people and whom it may change.
func TestCheck(t *testing.T) {
	rows := []string{
		"id,name,department,site,badge,manager,active,离职日期",
		"E100,张伟,retail,sh,PC-0100,E001,yes", // good
		",No Id,retail,,,,",                  // 3: no id
		"E102,,retail,,,,",                   // 4: no name
		"E103,X,nowhere,,,,",                 // 5: no department
		"E104,X,retail,moon,,,",              // 6: no site
		"E105,X,retail,,PC-0021,,",           // 7: E021's badge
		"E106,X,retail,,PC-0106,E999,",       // 8: no manager
		"E107,X,retail,,,,maybe",             // 9: not yes/no
		"E108,X,retail,,PC-0108,,",           // 10 and 11: the same badge twice
		"E109,X,retail,,PC-0108,,",
		"E110,X\x01Y,retail,,,,",              // 12: a control character
		"E001,Boss,hq,,PC-0001,,是",            // 13: an update, fine
		"E111,Left,retail,,,,否",               // 14: inactive
		"E112,Self,retail,,,E112,",            // 15: own manager
		"E113,Moved,retail,,,,",               // good
		"E113,Moved again,retail,,,,",         // 16, 17: twice
		"E114,Leaver,retail,,,,,2026-12-31",   // good, with a leaving date
		"E115,Bad date,retail,,,,,31/12/2026", // 19: not a date
	}
	s, err := orgimport.Read([]byte(strings.Join(rows, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	xs, problems := orgimport.Check(s, org)
	lines := map[int]string{}
	for _, p := range problems {
		lines[p.Line] += p.Field + ":" + p.Code + ";"
		if p.Message == "" {
			t.Errorf("line %d: no English message for API users: %+v", p.Line, p)
		}
	}
	want := map[int]string{3: "id:required", 4: "name:required", 5: "department:unknown", 6: "site:unknown", 7: "badge:taken", 8: "manager:unknown",
		9: "active:yes_no", 10: "badge:duplicate", 11: "badge:duplicate", 12: "name:control", 15: "manager:self", 16: "id:duplicate", 17: "id:duplicate",
		19: "leaving_date:format"}
	for line, field := range want {
		if !strings.HasPrefix(lines[line], field) {
			t.Errorf("line %d: %q, want a %s problem", line, lines[line], field)
		}
	}
	if len(lines) != len(want) {
		t.Errorf("problems on lines %v, want %d lines", lines, len(want))
	}
	got := map[string]attendance.Employee{}
	for _, e := range xs {
		got[e.ID] = e
	}
	if len(xs) != 4 || got["E100"].ManagerID != "E001" || got["E001"].Version != 7 || got["E111"].Active || got["E114"].LeavingDate != "2026-12-31" {
		t.Errorf("good rows: %+v", xs)
	}
	// HR of retail: into retail only, and not the workshop's E021.
	hr := org
	hr.May = func(d string) bool { return d == "retail" }
	hr.MayChange = func(e attendance.Employee) bool { return e.DepartmentID == "retail" }
	s, _ = orgimport.Read([]byte("id,name,department\nE200,A,retail\nE201,B,works\nE021,Worker,retail\n"))
	xs, problems = orgimport.Check(s, hr)
	if len(xs) != 1 || len(problems) != 2 || problems[0].Line != 3 || problems[1].Line != 4 || problems[0].Code != orgimport.CodeNotInUnit || problems[1].Code != orgimport.CodeNotInUnit {
		t.Errorf("retail HR's import: %+v %+v", xs, problems)
	}
	// Missing columns are the file's problem.
	s, _ = orgimport.Read([]byte("name\nA\n"))
	if _, problems := orgimport.Check(s, org); len(problems) < 2 || problems[0].Line != 1 || problems[1].Line != 1 {
		t.Errorf("a file without id and department columns: %+v", problems)
	}
	// Too many rows.
	var big strings.Builder
	big.WriteString("id,name,department\n")
	for i := range orgimport.MaxRows + 1 {
		fmt.Fprintf(&big, "E%d,N,retail\n", i)
	}
	if s, err := orgimport.Read([]byte(big.String())); err != nil || len(s.Problems) != 1 {
		t.Errorf("%d rows: %v %+v", orgimport.MaxRows+1, err, s.Problems)
	}
}
