package badges_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"punchclock/server/internal/badges"
	"punchclock/server/internal/badges/badgestest"
)

// TestBadgeSheetScans prints a sheet of nine badges (two pages), renders
// the PDF to images and reads back every badge with the kiosk's decoder:
// its QR code and its Code 128 barcode, each on its own (badgestest).
// The Chinese and accented names are in the PDF's text.
func TestBadgeSheetScans(t *testing.T) {
	font, err := badges.FindFont("")
	if err != nil {
		t.Fatalf("%v (make test-deps installs it)", err)
	}
	var cards []badges.Card
	names := []string{"张伟", "Anna Müller", "欧阳娜娜", "李", "Jean-Baptiste Fontaine-Delacroix", "王小明", "Zoë", "陈静", "周杰"}
	for i, n := range names {
		cards = append(cards, badges.Card{EmployeeID: fmt.Sprintf("E%03d", i+1), Name: n, Department: "Retail 门店", Code: fmt.Sprintf("PC-%04d", i+1)})
	}
	var buf bytes.Buffer
	if err := badges.Render(&buf, cards, font); err != nil {
		t.Fatal(err)
	}
	read, err := badgestest.Read(buf.Bytes(), len(cards))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cards {
		if read[i].QR != c.Code || read[i].Code128 != c.Code {
			t.Errorf("badge %d (%s): QR %q, Code 128 %q; want %s", i, c.Name, read[i].QR, read[i].Code128, c.Code)
		}
	}
	pdf := filepath.Join(t.TempDir(), "badges.pdf")
	if err := os.WriteFile(pdf, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils): %v", err)
	}
	// Latin letters in a Latin font, Chinese in the CJK one: no boxes.
	fonts, err := exec.Command("pdffonts", pdf).Output()
	if err != nil {
		t.Fatalf("pdffonts (poppler-utils): %v", err)
	}
	if !strings.Contains(string(fonts), "utf8latin") || !strings.Contains(string(fonts), "utf8cjk") {
		t.Errorf("the sheet's fonts:\n%s\nwant the Latin and the CJK font embedded", fonts)
	}
	for _, n := range []string{"张伟", "Anna Müller", "欧阳娜娜", "PC-0009", "Jean-Baptiste", "Fontaine-Delacroix"} {
		if !strings.Contains(string(out), n) {
			t.Errorf("the sheet's text lacks %q", n)
		}
	}
}

// TestNoFont: a font that does not exist is an error, not a sheet of
// empty boxes.
func TestNoFont(t *testing.T) {
	if _, err := badges.FindFont("/nonexistent/font.ttf"); err == nil {
		t.Error("a missing font was accepted")
	}
	if err := badges.Render(&bytes.Buffer{}, nil, "/nonexistent/font.ttf"); err == nil {
		t.Error("rendered with a missing font")
	}
}
