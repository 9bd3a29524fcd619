// Package orgimport reads employees from a spreadsheet as HR keeps them
// (CSV in UTF-8 or in GB18030, as Excel saves it on a Chinese Windows,
// Excel's tab-separated "Unicode text", or XLSX) and checks every row against the organisation before anything
// is written: a dry run lists each row's problems; a real import writes
// all the rows or none.
//
// Columns are found by their header, in English or Chinese, in any
// order: id (工号), name (姓名), department (部门: its id or its name),
// site (门店/站点), badge (工牌/卡号), manager (上级: an employee id),
// position (岗位/职位), active (在职: yes/no, 是/否, 1/0), leaving date
// (离职日期: YYYY-MM-DD, the last day worked). Unknown columns are
// reported once and otherwise ignored.
//
// Every problem has a stable code (Code*, attendance.Problem*) and its
// field, which a page says in its reader's language, and an English
// message for API users.
package orgimport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"

	"punchclock/app/attendance"
	"punchclock/app/wire"
)

// MaxRows is the most rows one import takes.
const MaxRows = 20000

// Field names.
const (
	FieldID         = "id"
	FieldName       = "name"
	FieldDepartment = "department"
	FieldSite       = "site"
	FieldBadge      = "badge"
	FieldManager    = "manager"
	FieldPosition   = "position"
	FieldActive     = "active"
	FieldLeaving    = "leaving_date"
)

// Problem codes of the import's own checks; a row's fields also get
// attendance's (required, format, too_long, control, unknown, taken,
// self). Stable strings: never renamed.
const (
	CodeColumnUnknown = "column_unknown" // a note: a column nobody knows, ignored
	CodeColumnTwice   = "column_twice"   // a second column of one field
	CodeColumnMissing = "column_missing" // no column of a field every row needs
	CodeTooManyRows   = "too_many_rows"  // more than MaxRows
	CodeDuplicate     = "duplicate"      // an id or badge on several rows
	CodeNotInUnit     = "not_in_unit"    // an employee or department outside the importer's unit
	CodeAmbiguous     = "ambiguous"      // a department name several departments have
	CodeYesNo         = "yes_no"         // an active cell that is not yes or no
)

// headers maps a header, lowercased and trimmed, to its field.
var headers = map[string]string{
	"id": FieldID, "employee id": FieldID, "employee_id": FieldID, "工号": FieldID, "员工编号": FieldID, "编号": FieldID,
	"name": FieldName, "姓名": FieldName, "名字": FieldName,
	"department": FieldDepartment, "department_id": FieldDepartment, "dept": FieldDepartment, "部门": FieldDepartment,
	"site": FieldSite, "site_id": FieldSite, "store": FieldSite, "门店": FieldSite, "站点": FieldSite, "地点": FieldSite,
	"badge": FieldBadge, "badge_code": FieldBadge, "badge code": FieldBadge, "card": FieldBadge, "工牌": FieldBadge, "工牌号": FieldBadge, "卡号": FieldBadge,
	"manager": FieldManager, "manager_id": FieldManager, "上级": FieldManager, "直属上级": FieldManager,
	"position": FieldPosition, "title": FieldPosition, "岗位": FieldPosition, "职位": FieldPosition,
	"active": FieldActive, "在职": FieldActive, "状态": FieldActive,
	"leaving date": FieldLeaving, "leaving_date": FieldLeaving, "last day": FieldLeaving, "离职日期": FieldLeaving, "最后工作日": FieldLeaving,
}

// fieldOf is the import's field of an employee field.
var fieldOf = map[string]string{
	attendance.FieldID: FieldID, attendance.FieldName: FieldName, attendance.FieldDepartment: FieldDepartment,
	attendance.FieldSite: FieldSite, attendance.FieldBadge: FieldBadge, attendance.FieldManager: FieldManager,
	attendance.FieldPosition: FieldPosition, attendance.FieldLeavingDate: FieldLeaving,
}

// Row is one data row: its line in the file (the header is line 1) and
// its cells by field.
type Row struct {
	Line  int
	Cells map[string]string
}

// Problem is what is wrong with a row (Line 0: with the file), as the
// import's answer carries it.
type Problem = wire.ImportProblem

// Sheet is a file read: its rows, the problems of the file itself, and
// notes that block nothing (columns ignored).
type Sheet struct {
	Rows     []Row
	Problems []Problem
	Notes    []Problem
}

// ErrFormat is a file that is neither CSV nor XLSX, or has no header.
var ErrFormat = errors.New("orgimport: not a CSV or XLSX file with a header row")

// Read reads a CSV or XLSX file (told apart by its first bytes).
func Read(data []byte) (Sheet, error) {
	var records [][]string
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return Sheet{}, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return Sheet{}, ErrFormat
		}
		if records, err = f.GetRows(sheets[0]); err != nil {
			return Sheet{}, fmt.Errorf("%w: %v", ErrFormat, err)
		}
	} else {
		var err error
		if data, err = text(data); err != nil {
			return Sheet{}, err
		}
		r := csv.NewReader(bytes.NewReader(data))
		if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.Count(first, []byte("\t")) > bytes.Count(first, []byte(",")) {
			r.Comma = '\t' // Excel's "Unicode text" is tab-separated
		}
		r.FieldsPerRecord = -1
		r.TrimLeadingSpace = true
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return Sheet{}, fmt.Errorf("%w: %v", ErrFormat, err)
			}
			records = append(records, rec)
			if len(records) > MaxRows+1 {
				break
			}
		}
	}
	return sheet(records)
}

// text decodes a text file to UTF-8: UTF-8 (with or without its BOM),
// UTF-16 with its BOM (Excel's "Unicode text"), else GB18030 (Excel's
// CSV on a Chinese Windows).
func text(data []byte) ([]byte, error) {
	var dec *encoding.Decoder
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		data = data[3:]
	case bytes.HasPrefix(data, []byte("\xff\xfe")):
		dec = xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder()
	case bytes.HasPrefix(data, []byte("\xfe\xff")):
		dec = xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM).NewDecoder()
	case !utf8.Valid(data):
		dec = simplifiedchinese.GB18030.NewDecoder()
	}
	if dec != nil {
		out, err := dec.Bytes(data)
		if err != nil || !utf8.Valid(out) || bytes.ContainsRune(out, utf8.RuneError) {
			return nil, fmt.Errorf("%w: the text is neither UTF-8, UTF-16 nor GB18030", ErrFormat)
		}
		data = out
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, fmt.Errorf("%w: it holds NUL bytes (a binary file?)", ErrFormat)
	}
	return data, nil
}

func sheet(records [][]string) (Sheet, error) {
	var s Sheet
	if len(records) == 0 {
		return s, ErrFormat
	}
	cols := make([]string, len(records[0]))
	seen := map[string]bool{}
	for i, h := range records[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		f, ok := headers[h]
		switch {
		case h == "":
		case !ok:
			s.Notes = append(s.Notes, Problem{Line: 1, Code: CodeColumnUnknown, Message: fmt.Sprintf("column %d, %q, is not one we know: it is ignored", i+1, h)})
		case seen[f]:
			s.Problems = append(s.Problems, Problem{Line: 1, Field: f, Code: CodeColumnTwice, Message: fmt.Sprintf("column %d is a second %s column", i+1, f)})
		default:
			cols[i], seen[f] = f, true
		}
	}
	for _, f := range []string{FieldID, FieldName, FieldDepartment} {
		if !seen[f] {
			s.Problems = append(s.Problems, Problem{Line: 1, Field: f, Code: CodeColumnMissing, Message: "there is no " + f + " column"})
		}
	}
	if len(records)-1 > MaxRows {
		s.Problems = append(s.Problems, Problem{Code: CodeTooManyRows, Message: fmt.Sprintf("more than %d rows: split the file", MaxRows)})
		return s, nil
	}
	for n, rec := range records[1:] {
		row := Row{Line: n + 2, Cells: map[string]string{}}
		empty := true
		for i, v := range rec {
			if i < len(cols) && cols[i] != "" {
				v = strings.TrimSpace(v)
				row.Cells[cols[i]] = v
				empty = empty && v == ""
			}
		}
		if !empty {
			s.Rows = append(s.Rows, row)
		}
	}
	return s, nil
}

// Org is what rows are checked against.
type Org struct {
	Departments []attendance.Department
	Sites       []attendance.Site
	Employees   []attendance.Employee
	// May reports whether the importer may put an employee in a
	// department (HR: its unit); nil, everywhere.
	May func(departmentID string) bool
	// MayChange reports whether the importer may change a stored
	// employee (HR: one of its unit); nil, anyone.
	MayChange func(e attendance.Employee) bool
}

// Check turns rows into employees and lists every row's problems.
// Employees already stored are updated (their fields from the row;
// active unless the row says otherwise).
func Check(s Sheet, org Org) ([]attendance.Employee, []Problem) {
	problems := append([]Problem(nil), s.Problems...)
	deptByID, deptByName := map[string]string{}, map[string][]string{}
	for _, d := range org.Departments {
		deptByID[d.ID] = d.ID
		deptByName[strings.TrimSpace(d.Name)] = append(deptByName[strings.TrimSpace(d.Name)], d.ID)
	}
	sites := map[string]bool{}
	for _, x := range org.Sites {
		sites[x.ID] = true
	}
	stored, badgeOf := map[string]attendance.Employee{}, map[string]string{}
	for _, e := range org.Employees {
		stored[e.ID] = e
		if e.BadgeCode != "" {
			badgeOf[e.BadgeCode] = e.ID
		}
	}
	inFile := map[string]int{}
	badgeInFile := map[string]int{}
	for _, r := range s.Rows {
		if id := r.Cells[FieldID]; id != "" {
			inFile[id]++
		}
		if b := r.Cells[FieldBadge]; b != "" {
			badgeInFile[b]++
		}
	}
	var out []attendance.Employee
	for _, r := range s.Rows {
		bad := func(field, code, format string, args ...any) {
			problems = append(problems, Problem{Line: r.Line, Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
		}
		before := len(problems)
		c := r.Cells
		for f, v := range c {
			if !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
				bad(f, attendance.ProblemControl, "has control characters")
			}
		}
		e := attendance.Employee{ID: c[FieldID], Name: c[FieldName], SiteID: c[FieldSite], ManagerID: c[FieldManager], BadgeCode: c[FieldBadge], Position: c[FieldPosition], Active: true}
		old, exists := stored[e.ID]
		if d, ok := c[FieldLeaving]; ok {
			e.LeavingDate = d
		} else if exists {
			e.LeavingDate = old.LeavingDate // a file without the column keeps it
		}
		switch {
		case e.ID == "":
			bad(FieldID, attendance.ProblemRequired, "the employee id is empty")
		case inFile[e.ID] > 1:
			bad(FieldID, CodeDuplicate, "employee %s is on %d rows", e.ID, inFile[e.ID])
		case exists && org.MayChange != nil && !org.MayChange(old):
			bad(FieldID, CodeNotInUnit, "employee %s is not in your unit", e.ID)
		}
		if e.Name == "" {
			bad(FieldName, attendance.ProblemRequired, "the name is empty")
		}
		if d := c[FieldDepartment]; d == "" {
			bad(FieldDepartment, attendance.ProblemRequired, "the department is empty")
		} else if id, ok := deptByID[d]; ok {
			e.DepartmentID = id
		} else if ids := deptByName[d]; len(ids) == 1 {
			e.DepartmentID = ids[0]
		} else if len(ids) > 1 {
			bad(FieldDepartment, CodeAmbiguous, "%d departments are named %q: give its id", len(ids), d)
		} else {
			bad(FieldDepartment, attendance.ProblemUnknown, "no department %q", d)
		}
		if e.DepartmentID != "" && org.May != nil && !org.May(e.DepartmentID) {
			bad(FieldDepartment, CodeNotInUnit, "department %q is not in your unit", c[FieldDepartment])
		}
		if e.SiteID != "" && !sites[e.SiteID] {
			bad(FieldSite, attendance.ProblemUnknown, "no site %q", e.SiteID)
		}
		if b := e.BadgeCode; b != "" {
			if badgeInFile[b] > 1 {
				bad(FieldBadge, CodeDuplicate, "badge %s is on %d rows", b, badgeInFile[b])
			} else if holder, ok := badgeOf[b]; ok && holder != e.ID && inFile[holder] == 0 {
				bad(FieldBadge, attendance.ProblemTaken, "badge %s is %s's", b, holder)
			}
		}
		if m := e.ManagerID; m != "" {
			if _, ok := stored[m]; !ok && inFile[m] == 0 {
				bad(FieldManager, attendance.ProblemUnknown, "no employee %q", m)
			} else if m == e.ID {
				bad(FieldManager, attendance.ProblemSelf, "an employee is not their own manager")
			}
		}
		if a, ok := c[FieldActive]; ok && a != "" {
			switch strings.ToLower(a) {
			case "yes", "y", "true", "1", "是", "在职":
			case "no", "n", "false", "0", "否", "离职":
				e.Active = false
			default:
				bad(FieldActive, CodeYesNo, "%q is not yes or no (是/否)", a)
			}
		}
		if len(problems) == before {
			for _, p := range e.Problems() {
				bad(fieldOf[p.Field], p.Code, "%s: %s", fieldOf[p.Field], p.Code)
			}
		}
		if len(problems) == before {
			if exists {
				e.Version = old.Version
			}
			out = append(out, e)
		}
	}
	return out, problems
}
