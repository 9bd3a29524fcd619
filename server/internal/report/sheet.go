package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"punchclock/app/rules"
	"punchclock/app/wire"
)

// column is one column of a sheet: a stable key and the header in
// English and Chinese (the words of WeCom's reports).
type column struct{ key, en, zh string }

// whoColumns begin every sheet: the employee (see org.who).
var whoColumns = []column{
	{"employee_id", "Employee ID", "工号"},
	{"name", "Name", "姓名"},
	{"department", "Department", "部门"},
}

// headers are the column headers of cols in lang.
func headers(cols []column, lang string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.en
		if lang == LangZH {
			out[i] = c.zh
		}
	}
	return out
}

// kind is what a cell holds, so each format writes it in a type a
// spreadsheet sorts.
type kind uint8

const (
	kText kind = iota // text from people (names): kept from formulas in CSV
	kWord             // text of ours (codes, words)
	kInt              // a number (minutes)
	kDate             // a business day
	kTime             // a wall clock (a time.UTC value); zero is empty
	kReal             // a measure (degrees, metres); empty unless set
)

// cell is one typed value of a row.
type cell struct {
	k   kind
	s   string
	n   int
	t   time.Time
	f   float64
	set bool // a kReal holds f
}

func textCell(s string) cell     { return cell{k: kText, s: s} }
func wordCell(s string) cell     { return cell{k: kWord, s: s} }
func intCell(n int) cell         { return cell{k: kInt, n: n} }
func dateCell(d rules.Date) cell { return cell{k: kDate, t: d.At(0, time.UTC)} }
func timeCell(t time.Time) cell  { return cell{k: kTime, t: t} }

// realCell is f, or an empty cell when set is false.
func realCell(f float64, set bool) cell { return cell{k: kReal, f: f, set: set} }

// sheetWriter writes a sheet row by row. Finish completes it; Close
// releases what it holds, whether or not Finish was called.
type sheetWriter interface {
	Header(h []string) error
	Row(r []cell) error
	Finish() error
	Close() error
}

// newSheet is the writer of format (FormatCSV or FormatXLSX) for a sheet
// of width columns.
func newSheet(w io.Writer, format string, width int) (sheetWriter, error) {
	if format == FormatXLSX {
		return newXLSX(w, width)
	}
	return newCSV(w, width), nil
}

// csvSheet writes UTF-8 CSV with a byte order mark (Excel then reads
// Chinese right): ISO dates, local times as "2006-01-02 15:04:05",
// minutes as plain integers.
type csvSheet struct {
	bw   *bufio.Writer
	cw   *csv.Writer
	cell []string
}

func newCSV(w io.Writer, width int) *csvSheet {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("\uFEFF")
	return &csvSheet{bw: bw, cw: csv.NewWriter(bw), cell: make([]string, width)}
}

func (s *csvSheet) Header(h []string) error { return s.cw.Write(h) }

func (s *csvSheet) Row(r []cell) error {
	for i := range r {
		switch c := &r[i]; c.k {
		case kText:
			s.cell[i] = text(c.s)
		case kWord:
			s.cell[i] = c.s
		case kInt:
			s.cell[i] = strconv.Itoa(c.n)
		case kDate:
			s.cell[i] = c.t.Format("2006-01-02")
		case kTime:
			s.cell[i] = clock(c.t)
		case kReal:
			s.cell[i] = ""
			if c.set {
				s.cell[i] = strconv.FormatFloat(c.f, 'f', -1, 64)
			}
		}
	}
	return s.cw.Write(s.cell[:len(r)])
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

// maxXLSXRows is how many data rows an XLSX sheet holds: Excel's
// 1,048,576 rows less the header. A variable for tests.
var maxXLSXRows = 1_048_575

// errTooManyRows refuses an XLSX export that would not fit one sheet.
func errTooManyRows() error {
	return wire.Errorf(wire.CodeInvalid, "the export has more rows than an XLSX sheet holds (%d): export CSV, or a shorter range or a smaller department", maxXLSXRows)
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

func newXLSX(w io.Writer, width int) (*xlsxSheet, error) {
	f := excelize.NewFile()
	s := &xlsxSheet{w: w, f: f, cell: make([]any, width)}
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
		err = s.sw.SetColWidth(1, width, 14)
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
	return s.next(len(h))
}

func (s *xlsxSheet) Row(r []cell) error {
	if s.n > maxXLSXRows { // a sheet whose rows are not counted up front
		return errTooManyRows()
	}
	for i := range r {
		switch c := &r[i]; c.k {
		case kText, kWord:
			s.cell[i] = c.s
		case kInt:
			s.cell[i] = c.n
		case kDate:
			s.cell[i] = excelize.Cell{StyleID: s.date, Value: c.t}
		case kTime:
			s.cell[i] = nil
			if !c.t.IsZero() {
				s.cell[i] = excelize.Cell{StyleID: s.time, Value: c.t}
			}
		case kReal:
			s.cell[i] = nil
			if c.set {
				s.cell[i] = c.f
			}
		}
	}
	return s.next(len(r))
}

func (s *xlsxSheet) next(width int) error {
	s.n++
	name, err := excelize.CoordinatesToCellName(1, s.n)
	if err == nil {
		err = s.sw.SetRow(name, s.cell[:width])
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
