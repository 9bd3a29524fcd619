package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// columns are the monthly sheet's columns: a stable key and the header
// in English and Chinese (the words of WeCom's daily report).
var columns = []struct{ key, en, zh string }{
	{"employee_id", "Employee ID", "工号"},
	{"name", "Name", "姓名"},
	{"department", "Department", "部门"},
	{"date", "Date", "日期"},
	{"day_type", "Day type", "日期类型"},
	{"status", "Status", "考勤结果"},
	{"shift", "Shift", "班次"},
	{"first_in", "First in", "最早上班打卡"},
	{"last_out", "Last out", "最晚下班打卡"},
	{"late_min", "Late (min)", "迟到时长（分钟）"},
	{"early_min", "Early leave (min)", "早退时长（分钟）"},
	{"worked_min", "Worked in shift (min)", "班内工作时长（分钟）"},
	{"present_min", "Present (min)", "实际工作时长（分钟）"},
	{"overtime_min", "Overtime (min)", "加班时长（分钟）"},
	{"overtime_type", "Overtime type", "加班类型"},
	{"anomalies", "Anomalies", "异常"},
	{"approvals", "Approvals", "审批状态"},
}

// headers are the column headers in lang.
func headers(lang string) []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.en
		if lang == LangZH {
			out[i] = c.zh
		}
	}
	return out
}

// sheetWriter writes a sheet row by row. Finish completes it; Close
// releases what it holds, whether or not Finish was called.
type sheetWriter interface {
	Header(h []string) error
	Row(r *row) error
	Finish() error
	Close() error
}

// csvSheet writes UTF-8 CSV with a byte order mark (Excel then reads
// Chinese right): ISO dates, local times as "2006-01-02 15:04:05",
// minutes as plain integers.
type csvSheet struct {
	bw   *bufio.Writer
	cw   *csv.Writer
	cell []string
	buf  []byte
}

func newCSV(w io.Writer) *csvSheet {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("\uFEFF")
	return &csvSheet{bw: bw, cw: csv.NewWriter(bw), cell: make([]string, len(columns))}
}

func (s *csvSheet) Header(h []string) error { return s.cw.Write(h) }

func (s *csvSheet) Row(r *row) error {
	c := s.cell
	c[0], c[1], c[2] = text(r.EmployeeID), text(r.Name), text(r.Department)
	c[3], c[4], c[5], c[6] = r.Date.String(), r.DayType, r.Status, text(r.Shift)
	c[7], c[8] = clock(r.In), clock(r.Out)
	for i, n := range [...]int{r.LateMin, r.EarlyMin, r.WorkedMin, r.PresentMin, r.OvertimeMin} {
		c[9+i] = strconv.Itoa(n)
	}
	c[14], c[15], c[16] = r.OvertimeType, r.Anomalies, r.Approvals
	return s.cw.Write(c)
}

func (s *csvSheet) Finish() error {
	s.cw.Flush()
	if err := s.cw.Error(); err != nil {
		return err
	}
	return s.bw.Flush()
}

func (s *csvSheet) Close() error { return nil }

// text keeps a name a spreadsheet would take for a formula (=, +, -, @
// first) as text, with a leading apostrophe (OWASP's CSV injection
// advice).
func text(v string) string {
	if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r') {
		return "'" + v
	}
	return v
}

// clock is a local time as CSV shows it, "" when missing.
func clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04:05")
}

// xlsxSheet writes one worksheet through excelize's stream writer: dates
// and times as real dates with formats, minutes as numbers.
type xlsxSheet struct {
	w          io.Writer
	f          *excelize.File
	sw         *excelize.StreamWriter
	n          int // rows written
	date, time int // style ids of dates and times
	cell       []any
}

func newXLSX(w io.Writer) (*xlsxSheet, error) {
	f := excelize.NewFile()
	s := &xlsxSheet{w: w, f: f, cell: make([]any, len(columns))}
	var err error
	if s.sw, err = f.NewStreamWriter("Sheet1"); err != nil {
		f.Close()
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	dateFmt, timeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err == nil {
		s.time, err = f.NewStyle(&excelize.Style{CustomNumFmt: &timeFmt})
	}
	if err == nil {
		err = s.sw.SetColWidth(1, len(columns), 14)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	return s, nil
}

func (s *xlsxSheet) Header(h []string) error {
	for i, v := range h {
		s.cell[i] = v
	}
	return s.next()
}

func (s *xlsxSheet) Row(r *row) error {
	c := s.cell
	c[0], c[1], c[2] = r.EmployeeID, r.Name, r.Department
	c[3] = excelize.Cell{StyleID: s.date, Value: r.Date.At(0, time.UTC)}
	c[4], c[5], c[6] = r.DayType, r.Status, r.Shift
	c[7], c[8] = s.at(r.In), s.at(r.Out)
	for i, n := range [...]int{r.LateMin, r.EarlyMin, r.WorkedMin, r.PresentMin, r.OvertimeMin} {
		c[9+i] = n
	}
	c[14], c[15], c[16] = r.OvertimeType, r.Anomalies, r.Approvals
	return s.next()
}

// at is a local time's cell, empty when missing.
func (s *xlsxSheet) at(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return excelize.Cell{StyleID: s.time, Value: t}
}

func (s *xlsxSheet) next() error {
	s.n++
	name, err := excelize.CoordinatesToCellName(1, s.n)
	if err == nil {
		err = s.sw.SetRow(name, s.cell)
	}
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	return nil
}

func (s *xlsxSheet) Finish() error {
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	if err := s.f.Write(s.w); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	return nil
}

func (s *xlsxSheet) Close() error { return s.f.Close() }
