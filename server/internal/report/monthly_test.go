package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"punchclock/app/wire"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/demo/demotest"
	"punchclock/server/internal/report"
)

// now is the demo's clock: the week of 2026-11-16 is over but for Friday.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func demoExporter(t *testing.T) *report.Exporter {
	t.Helper()
	clock := func() time.Time { return now }
	st, _ := demotest.Seeded(t, clock, func(s string) string { return s })
	return &report.Exporter{Days: &dayrec.Service{Store: st, Now: clock}, Store: st}
}

func export(t *testing.T, x *report.Exporter, query string) []byte {
	t.Helper()
	return exportOf(t, x, report.ReportMonthly, query)
}

func exportOf(t *testing.T, x *report.Exporter, name, query string) []byte {
	t.Helper()
	q, _ := url.ParseQuery(query)
	m, err := report.Parse(name, q, "")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := x.Write(context.Background(), &b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMonthlyCSV(t *testing.T) {
	x := demoExporter(t)
	for _, lang := range []string{"en", "zh"} {
		b := export(t, x, "department_id=retail&from=2026-11-16&to=2026-11-20&lang="+lang)
		if !bytes.HasPrefix(b, []byte("\uFEFF")) {
			t.Fatalf("%s: no byte order mark: %q", lang, b[:10])
		}
		rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		head := map[string]string{"en": "Employee ID", "zh": "工号"}[lang]
		present := map[string]string{"en": "Present (min)", "zh": "实际工作时长（分钟）"}[lang]
		if rows[0][0] != head || rows[0][12] != present || len(rows[0]) != 17 {
			t.Errorf("%s: header %q", lang, rows[0])
		}
		// 18 employees of retail x 5 days, by employee then date.
		if len(rows) != 1+18*5 {
			t.Fatalf("%s: %d rows", lang, len(rows))
		}
		for i, r := range rows[1:] {
			if _, err := time.Parse("2006-01-02", r[3]); err != nil {
				t.Errorf("row %d: date %q", i, r[3])
			}
			for _, c := range r[9:14] {
				if _, err := strconv.Atoi(c); err != nil {
					t.Errorf("row %d: minutes %q in %q", i, c, r)
				}
			}
			if r[7] != "" && !strings.HasPrefix(r[7], r[3][:7]) {
				t.Errorf("row %d: first in %q", i, r[7])
			}
		}
		// E001's Monday in words of the language.
		if want := map[string]string{"en": "workday", "zh": "工作日"}[lang]; rows[1][4] != want {
			t.Errorf("%s: day type %q, want %q", lang, rows[1][4], want)
		}
		if want := map[string]string{"en": "in progress", "zh": "进行中"}[lang]; rows[5][5] != want {
			t.Errorf("%s: Friday's status %q, want %q", lang, rows[5][5], want)
		}
		if rows[1][0] >= rows[1+5][0] || rows[1][3] != "2026-11-16" || rows[5][3] != "2026-11-20" {
			t.Errorf("order: %q, %q", rows[1][:4], rows[6][:4])
		}
	}
}

func TestMonthlyXLSX(t *testing.T) {
	x := demoExporter(t)
	b := export(t, x, "employee_id=E006&from=2026-11-16&to=2026-11-20&format=xlsx&lang=zh")
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("Sheet1", "A1"); v != "工号" {
		t.Errorf("A1 %q", v)
	}
	if v, _ := f.GetCellValue("Sheet1", "A2"); v != "E006" {
		t.Errorf("A2 %q", v)
	}
	// D2 is a date: a number with a date format.
	if typ, _ := f.GetCellType("Sheet1", "D2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("D2 is text")
	}
	raw, _ := f.GetCellValue("Sheet1", "D2", excelize.Options{RawCellValue: true})
	if serial, err := strconv.ParseFloat(raw, 64); err != nil || serial != 46342 { // 2026-11-16
		t.Errorf("D2 raw %q, want the serial 46342", raw)
	}
	if v, _ := f.GetCellValue("Sheet1", "D2"); v != "2026-11-16" {
		t.Errorf("D2 shows %q", v)
	}
	rows, _ := f.GetRows("Sheet1")
	if len(rows) != 6 {
		t.Fatalf("%d rows", len(rows))
	}
	for i := 2; i <= 6; i++ {
		for _, col := range []string{"J", "K", "L", "M", "N"} {
			cell := col + strconv.Itoa(i)
			raw, _ := f.GetCellValue("Sheet1", cell, excelize.Options{RawCellValue: true})
			if typ, _ := f.GetCellType("Sheet1", cell); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
				t.Errorf("%s is text %q", cell, raw)
			} else if _, err := strconv.Atoi(raw); err != nil {
				t.Errorf("%s = %q, not minutes", cell, raw)
			}
		}
		if in, _ := f.GetCellValue("Sheet1", "H"+strconv.Itoa(i)); in != "" {
			if _, err := time.Parse("2006-01-02 15:04:05", in); err != nil {
				t.Errorf("H%d shows %q", i, in)
			}
		}
	}
}

func TestParseMonthly(t *testing.T) {
	good := "department_id=retail&from=2026-11-01&to=2026-11-30"
	m, err := report.Parse(report.ReportMonthly, mustQuery(good), "zh-CN,zh;q=0.9,en;q=0.8")
	if err != nil || m.Lang != "zh" || m.Format != "csv" {
		t.Errorf("%+v %v", m, err)
	}
	if m, _ := report.Parse(report.ReportMonthly, mustQuery(good), "fr, en-GB;q=0.5"); m.Lang != "en" {
		t.Errorf("lang %q", m.Lang)
	}
	for _, bad := range []string{
		"from=2026-11-01",
		"department_id=a&employee_id=b&from=2026-11-01",
		"department_id=retail&from=2026-11-31",
		"department_id=retail&from=2026-11-02&to=2026-11-01",
		"department_id=retail&from=2026-11-01&to=2027-01-02",
		good + "&format=pdf",
		good + "&lang=fr",
		good + "&format=xlsx%00",
		"department_id=%ff&from=2026-11-01",
		"department_id=a%00b&from=2026-11-01",
	} {
		_, err := report.Parse(report.ReportMonthly, mustQuery(bad), "")
		var we *wire.Error
		if !errors.As(err, &we) || we.Code != wire.CodeInvalid {
			t.Errorf("%s: %v, want invalid", bad, err)
		}
	}
	if _, err := report.Parse(report.ReportMonthly, mustQuery("department_id=retail&from=2026-11-01&to=2027-01-01"), ""); err != nil {
		t.Errorf("62 days: %v", err)
	}
}

func mustQuery(s string) url.Values {
	q, err := url.ParseQuery(s)
	if err != nil {
		panic(err)
	}
	return q
}
