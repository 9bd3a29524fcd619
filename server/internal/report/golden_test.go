package report_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenQuery is the export every golden file holds: Retail's demo week,
// with a rejected and flagged punch of E006 (see rejecting).
const goldenQuery = "department_id=retail&from=2026-11-16&to=2026-11-20"

// goldenExports are the exports the golden files hold: every report in
// both languages.
func goldenExports() (names []string) {
	for _, r := range []string{report.ReportMonthly, report.ReportPunches, report.ReportOvertime, report.ReportAnomalies} {
		for _, lang := range []string{"en", "zh"} {
			names = append(names, r+"-"+lang)
		}
	}
	return names
}

func goldenExporter(t *testing.T) *report.Exporter {
	t.Helper()
	x := demoExporter(t)
	st := rejecting{x.Store}
	return &report.Exporter{Days: &dayrec.Service{Store: st, Now: x.Days.Now}, Store: st}
}

// TestGolden compares each export with its golden file: the CSV byte for
// byte (testdata/golden/NAME.csv), the XLSX as a listing of every cell
// with its type, raw value and the value as formatted
// (testdata/golden/NAME.xlsx.txt). go test -run TestGolden -update
// rewrites them; review the diff.
func TestGolden(t *testing.T) {
	x := goldenExporter(t)
	for _, name := range goldenExports() {
		r, lang, _ := strings.Cut(name, "-")
		q := goldenQuery + "&lang=" + lang
		golden(t, name+".csv", stable(exportOf(t, x, r, q)))
		golden(t, name+".xlsx.txt", stable(cellListing(t, exportOf(t, x, r, q+"&format=xlsx"))))
	}
}

// Each demo seeds its kiosk anew: a new device id and key, hence new
// punch hashes. stable names them in order of appearance instead.
var (
	deviceIDs = regexp.MustCompile(`dev-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	hashes    = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
)

func stable(b []byte) []byte {
	for label, re := range map[string]*regexp.Regexp{"device": deviceIDs, "hash": hashes} {
		seen := map[string]int{}
		b = re.ReplaceAllFunc(b, func(m []byte) []byte {
			n, ok := seen[string(m)]
			if !ok {
				n = len(seen) + 1
				seen[string(m)] = n
			}
			return fmt.Appendf(nil, "<%s %d>", label, n)
		})
	}
	return b
}

// golden compares got with testdata/golden/file, or writes it there under
// -update.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", file)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run TestGolden -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			g, w := at(gl, i), at(wl, i)
			if g != w {
				t.Errorf("%s differs from its golden file at line %d:\n got %q\nwant %q\n(go test -run TestGolden -update rewrites it; review the diff)", file, i+1, g, w)
				return
			}
		}
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end>"
}

// cellListing lists every cell of an XLSX's one sheet, a line each:
// reference, type, raw value and the value as its number format shows it.
func cellListing(t *testing.T, b []byte) []byte {
	t.Helper()
	f := openXLSX(t, b)
	if sheets := f.GetSheetList(); len(sheets) != 1 || sheets[0] != "Sheet1" {
		t.Fatalf("sheets %q", sheets)
	}
	rows, err := f.GetRows("Sheet1", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for i, r := range rows {
		for j, raw := range r {
			ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
			typ, err := f.GetCellType("Sheet1", ref)
			if err != nil {
				t.Fatal(err)
			}
			shown, _ := f.GetCellValue("Sheet1", ref)
			fmt.Fprintf(&out, "%s\t%s\t%q\t%q\n", ref, cellType(typ), raw, shown)
		}
	}
	return out.Bytes()
}

func cellType(t excelize.CellType) string {
	switch t {
	case excelize.CellTypeUnset:
		return "number" // the stream writer leaves numbers' type unset
	case excelize.CellTypeNumber:
		return "number"
	case excelize.CellTypeSharedString, excelize.CellTypeInlineString:
		return "text"
	default:
		return fmt.Sprintf("type%d", t)
	}
}

// TestXLSXInLibreOffice opens every golden XLSX export with LibreOffice
// (libreoffice --headless --convert-to csv, cells as their formats show
// them) and compares it cell by cell with the CSV export of the same
// query: a spreadsheet program nobody here wrote must read our XLSX as the
// numbers and dates our CSV states. make test-deps installs LibreOffice
// (Debian's libreoffice-calc-nogui).
func TestXLSXInLibreOffice(t *testing.T) {
	office, err := exec.LookPath("libreoffice")
	if err != nil {
		t.Fatal("LibreOffice is not installed: make test-deps installs it (apt-get install libreoffice-calc-nogui)")
	}
	x := goldenExporter(t)
	dir := t.TempDir()
	want := map[string][][]string{}
	var files []string
	for _, name := range goldenExports() {
		r, lang, _ := strings.Cut(name, "-")
		q := goldenQuery + "&lang=" + lang
		want[name] = rows(t, exportOf(t, x, r, q))
		file := filepath.Join(dir, name+".xlsx")
		if err := os.WriteFile(file, exportOf(t, x, r, q+"&format=xlsx"), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	out := filepath.Join(dir, "out")
	// One LibreOffice for all files, with a profile of its own (another
	// LibreOffice of the user's would otherwise take the conversion).
	// Filter options: comma, double quote, UTF-8 (76), from line 1, cells
	// as shown.
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--norestore",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,false,true", "--outdir", out}, files...)
	cmd := exec.Command(office, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, b)
	}
	for _, name := range goldenExports() {
		b, err := os.ReadFile(filepath.Join(out, name+".csv"))
		if errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: LibreOffice wrote no CSV", name)
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		got, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatalf("%s: LibreOffice's CSV: %v", name, err)
		}
		w := want[name]
		if len(got) != len(w) {
			t.Errorf("%s: LibreOffice reads %d rows, the CSV has %d", name, len(got), len(w))
			continue
		}
		cells := 0
		for i := range w {
			for j := range max(len(got[i]), len(w[i])) {
				g, c := at(got[i], j), at(w[i], j)
				// The CSV keeps a name that looks like a formula as text
				// with a leading apostrophe; the XLSX cell is text anyway.
				if g != c && "'"+g != c {
					ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
					t.Errorf("%s %s: LibreOffice shows %q, the CSV has %q", name, ref, g, c)
				}
				cells++
			}
		}
		if cells < 10 {
			t.Errorf("%s: only %d cells compared", name, cells)
		}
	}
}
