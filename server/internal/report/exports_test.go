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

	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/report"
	"punchclock/server/internal/store"
)

// rejecting is the demo's store with one rejected punch of E006 (an
// unknown badge on Tuesday 10:00 in Shanghai) and a clock-skew flag on
// every accepted punch of E006, which the demo has neither of.
type rejecting struct{ store.Store }

var rejectedAt = time.Date(2026, 11, 17, 2, 0, 0, 0, time.UTC)

func (s rejecting) EachPunch(ctx context.Context, f store.PunchFilter, fn func(p *store.StoredPunch) error) error {
	if f.Status == store.PunchRejected {
		p := store.StoredPunch{Status: store.PunchRejected, Code: "unknown_badge", Flags: []string{"unknown_badge"}, Hash: "abc123", TrueTime: rejectedAt}
		p.ID, p.EmployeeID, p.DeviceID, p.SiteID, p.Method = "rejected-1", "E006", "kiosk-x", "sh-jingan", "badge"
		for _, id := range f.EmployeeIDs {
			if id == "E006" {
				return fn(&p)
			}
		}
		return nil
	}
	return s.Store.EachPunch(ctx, f, func(p *store.StoredPunch) error {
		if p.EmployeeID == "E006" {
			p.Flags = append(p.Flags[:len(p.Flags):len(p.Flags)], wire.FlagClockSkew)
		}
		return fn(p)
	})
}

func rows(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Fatalf("no byte order mark: %q", b[:min(len(b), 10)])
	}
	rs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestPunchesCSV(t *testing.T) {
	x := demoExporter(t)
	st := rejecting{x.Store}
	x = &report.Exporter{Days: &dayrec.Service{Store: st, Now: x.Days.Now}, Store: st}
	for _, lang := range []string{"en", "zh"} {
		rs := rows(t, exportOf(t, x, report.ReportPunches, "department_id=retail&from=2026-11-16&to=2026-11-20&lang="+lang))
		if want := map[string]string{"en": "Time", "zh": "打卡时间"}[lang]; rs[0][3] != want || len(rs[0]) != 19 {
			t.Errorf("%s: header %q", lang, rs[0])
		}
		var rejected, skewed, gps int
		for i, r := range rs[1:] {
			if len(r) != 19 || r[12] == "" || r[13] == "" {
				t.Errorf("row %d: %q", i, r)
				continue
			}
			// The evidence: a badge punch names its badge; a GPS punch
			// has its position and accuracy as numbers.
			switch r[4] {
			case "badge":
				if r[0] == "E006" && r[12] == "rejected-1" {
					break // made up by rejecting, without evidence
				}
				if !strings.HasPrefix(r[17], "badge:PC-") || r[14] != "" {
					t.Errorf("row %d: a badge punch's evidence %q, position %q", i, r[17], r[14:17])
				}
			case "gps":
				gps++
				lat, err1 := strconv.ParseFloat(r[14], 64)
				lng, err2 := strconv.ParseFloat(r[15], 64)
				acc, err3 := strconv.ParseFloat(r[16], 64)
				if err1 != nil || err2 != nil || err3 != nil || lat < 31 || lat > 32 || lng < 121 || lng > 122 || acc <= 0 {
					t.Errorf("row %d: a GPS punch at %q", i, r[14:17])
				}
			}
			if at, err := time.Parse("2006-01-02 15:04:05", r[3]); err != nil || at.Before(time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)) || !at.Before(time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("row %d: time %q outside the range", i, r[3])
			}
			if i > 0 && (r[0] < rs[i][0] || r[0] == rs[i][0] && r[3] < rs[i][3]) {
				t.Errorf("row %d: %q after %q", i, r[:4], rs[i][:4])
			}
			if r[0] == "E006" && r[8] == report.Word(lang, "accepted") && strings.Contains(r[10], "clock_skew") {
				skewed++
			}
			if r[8] == report.Word(lang, "rejected") {
				rejected++
				// 02:00 UTC is 10:00 in Shanghai.
				if r[0] != "E006" || r[3] != "2026-11-17 10:00:00" || r[9] != "unknown_badge" || r[10] != "unknown_badge" || r[11] != "" || r[12] != "rejected-1" || r[13] != "abc123" {
					t.Errorf("%s: rejected row %q", lang, r)
				}
			}
		}
		if rejected != 1 || skewed == 0 || gps == 0 || len(rs) < 1+18*2 {
			t.Errorf("%s: %d rows, %d rejected, %d skewed, %d by GPS", lang, len(rs), rejected, skewed, gps)
		}
		// The accepted punches are those of the records of the same range.
		ids := map[string]bool{}
		for _, r := range rs[1:] {
			ids[r[12]] = true
		}
		var n int
		if _, err := x.Days.Stream(context.Background(), dayrec.Filter{DepartmentID: "retail", From: mustDate("2026-11-16"), To: mustDate("2026-11-20")}, dayrec.Sink{
			Punch: func(*store.StoredPunch) error { return nil },
			Records: func(recs []rules.DayRecord) error {
				for _, rec := range recs {
					for _, u := range rec.Punches {
						if !u.Correction && !ids[u.ID] {
							t.Errorf("%s: punch %s of %s %s is not listed", lang, u.ID, rec.EmployeeID, rec.Date)
						}
						n++
					}
				}
				return nil
			},
		}); err != nil || n == 0 {
			t.Fatal(n, err)
		}
	}
}

func TestPunchesXLSX(t *testing.T) {
	x := demoExporter(t)
	f := openXLSX(t, exportOf(t, x, report.ReportPunches, "employee_id=E006&from=2026-11-16&to=2026-11-20&format=xlsx&lang=zh"))
	if v, _ := f.GetCellValue("Sheet1", "N1"); v != "哈希" {
		t.Errorf("N1 %q", v)
	}
	isNumber(t, f, "D2")
	if v, _ := f.GetCellValue("Sheet1", "D2"); !strings.HasPrefix(v, "2026-11-16 ") {
		t.Errorf("D2 shows %q", v)
	}
	if v, _ := f.GetCellValue("Sheet1", "I2"); v != "已接受" {
		t.Errorf("I2 %q", v)
	}
}

func TestOvertimeCSV(t *testing.T) {
	x := demoExporter(t)
	monthly := rows(t, export(t, x, "department_id=retail&from=2026-11-01&to=2026-11-20"))
	sum := map[string]int{}
	for _, r := range monthly[1:] {
		n, _ := strconv.Atoi(r[13])
		sum[r[0]] += n
	}
	for _, lang := range []string{"en", "zh"} {
		rs := rows(t, exportOf(t, x, report.ReportOvertime, "department_id=retail&from=2026-11-01&to=2026-11-20&lang="+lang))
		if want := map[string]string{"en": "Rest day overtime (min)", "zh": "休息日加班（分钟）"}[lang]; rs[0][6] != want || len(rs[0]) != 9 {
			t.Errorf("%s: header %q", lang, rs[0])
		}
		// One row per employee of retail, in id order.
		if len(rs) != 1+18 {
			t.Fatalf("%s: %d rows", lang, len(rs))
		}
		for i, r := range rs[1:] {
			var n [4]int
			for k := range n {
				var err error
				if n[k], err = strconv.Atoi(r[5+k]); err != nil {
					t.Errorf("row %d: minutes %q", i, r)
				}
			}
			if n[0]+n[1]+n[2] != n[3] || n[3] != sum[r[0]] || r[3] != "2026-11-01" || r[4] != "2026-11-20" {
				t.Errorf("row %d: %q, want a total of %d", i, r, sum[r[0]])
			}
			if i > 0 && r[0] <= rs[i][0] {
				t.Errorf("row %d: %s after %s", i, r[0], rs[i][0])
			}
		}
	}
}

func TestOvertimeXLSX(t *testing.T) {
	x := demoExporter(t)
	f := openXLSX(t, exportOf(t, x, report.ReportOvertime, "department_id=retail&from=2026-11-16&to=2026-11-20&format=xlsx&lang=en"))
	if v, _ := f.GetCellValue("Sheet1", "I1"); v != "Total overtime (min)" {
		t.Errorf("I1 %q", v)
	}
	for _, c := range []string{"D2", "E2", "F2", "G2", "H2", "I2", "I19"} {
		isNumber(t, f, c)
	}
	if rs, _ := f.GetRows("Sheet1"); len(rs) != 19 {
		t.Errorf("%d rows", len(rs))
	}
}

func TestAnomaliesCSV(t *testing.T) {
	x := demoExporter(t)
	monthly := rows(t, export(t, x, "department_id=retail&from=2026-11-16&to=2026-11-20"))
	var want []string
	for _, r := range monthly[1:] {
		if r[15] == "" {
			continue
		}
		codes, approvals := strings.Fields(r[15]), strings.Fields(r[16])
		for i := range codes {
			kind, state, _ := strings.Cut(approvals[i], ":")
			want = append(want, strings.Join([]string{r[0], r[3], codes[i], kind, state}, " "))
		}
	}
	for _, lang := range []string{"en", "zh"} {
		rs := rows(t, exportOf(t, x, report.ReportAnomalies, "department_id=retail&from=2026-11-16&to=2026-11-20&lang="+lang))
		if h := map[string]string{"en": "Anomaly", "zh": "异常"}[lang]; rs[0][4] != h || len(rs[0]) != 8 {
			t.Errorf("%s: header %q", lang, rs[0])
		}
		var got []string
		for i, r := range rs[1:] {
			if _, err := strconv.Atoi(r[5]); err != nil {
				t.Errorf("row %d: minutes %q", i, r[5])
			}
			if _, err := time.Parse("2006-01-02", r[3]); err != nil {
				t.Errorf("row %d: date %q", i, r[3])
			}
			got = append(got, strings.Join([]string{r[0], r[3], r[4], r[6], r[7]}, " "))
		}
		if len(got) == 0 || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: anomalies\n%q\nwant those of the monthly sheet\n%q", lang, got, want)
		}
	}
}

func TestAnomaliesXLSX(t *testing.T) {
	x := demoExporter(t)
	f := openXLSX(t, exportOf(t, x, report.ReportAnomalies, "employee_id=E006&from=2026-11-16&to=2026-11-20&format=xlsx&lang=zh"))
	if v, _ := f.GetCellValue("Sheet1", "H1"); v != "审批状态" {
		t.Errorf("H1 %q", v)
	}
	isNumber(t, f, "D2")
	isNumber(t, f, "F2")
	if v, _ := f.GetCellValue("Sheet1", "E2"); v != "late" {
		t.Errorf("E2 %q", v)
	}
}

// TestXLSXRowLimit: an XLSX past the sheet's rows is refused as invalid
// before a byte is written (the monthly sheet counting employees x days
// up front, and so is an export job of it when asked for); CSV has no such
// limit.
func TestXLSXRowLimit(t *testing.T) {
	x := demoExporter(t)
	defer report.SetMaxXLSXRows(18*5 - 1)()
	for _, name := range []string{report.ReportMonthly, report.ReportPunches} {
		q, _ := url.ParseQuery("department_id=retail&from=2026-11-16&to=2026-11-20&format=xlsx")
		e, err := report.Parse(name, q, "")
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		err = x.Write(context.Background(), &b, e)
		var we *wire.Error
		if !errors.As(err, &we) || we.Code != wire.CodeInvalid || !strings.Contains(we.Message, "XLSX") || b.Len() != 0 {
			t.Errorf("%s: %v, %d bytes, want invalid before any byte", name, err, b.Len())
		}
	}
	// An export job counts first (exportjob.Runner.Submit), and is refused
	// when asked for.
	q, _ := url.ParseQuery("department_id=retail&from=2026-11-16&to=2026-11-20&format=xlsx")
	e, _ := report.Parse(report.ReportMonthly, q, "")
	if n, err := x.Count(context.Background(), e); wire.CodeOf(err) != wire.CodeInvalid {
		t.Errorf("Count: %d %v, want invalid", n, err)
	}
	e.Format = report.FormatCSV
	if n, err := x.Count(context.Background(), e); n != 18 || err != nil {
		t.Errorf("Count as CSV: %d %v, want 18 employees", n, err)
	}
	if rs := rows(t, export(t, x, "department_id=retail&from=2026-11-16&to=2026-11-20")); len(rs) != 1+18*5 {
		t.Errorf("csv: %d rows", len(rs))
	}
	report.SetMaxXLSXRows(18 * 5)
	export(t, x, "department_id=retail&from=2026-11-16&to=2026-11-20&format=xlsx")
}

func openXLSX(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// isNumber fails unless cell holds a number (dates and times included).
func isNumber(t *testing.T, f *excelize.File, cell string) {
	t.Helper()
	raw, _ := f.GetCellValue("Sheet1", cell, excelize.Options{RawCellValue: true})
	if typ, _ := f.GetCellType("Sheet1", cell); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("%s is text %q", cell, raw)
	} else if _, err := strconv.ParseFloat(raw, 64); err != nil {
		t.Errorf("%s = %q, not a number", cell, raw)
	}
}

func mustDate(s string) rules.Date {
	d, err := rules.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}
