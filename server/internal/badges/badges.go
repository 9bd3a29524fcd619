// Package badges prints badge sheets: A4 pages of credit-card-sized
// badges (85.6 x 54 mm, cut along the grey frame), each with the
// employee's name, id and department, a box for a photo, the badge code
// as a QR code and as a Code 128 barcode, and the code in clear. Codes
// are drawn as vector rectangles, so a printer of any resolution keeps
// their edges sharp; the kiosk reads either symbol.
//
// Names are set in a TrueType font with CJK glyphs (Chinese names), of
// which only the glyphs used are embedded (go-pdf/fpdf subsets it).
package badges

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-pdf/fpdf"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/skip2/go-qrcode"
)

// Card is one badge.
type Card struct {
	EmployeeID string
	Name       string
	Department string
	Code       string // the badge code, as the kiosk reads it
}

// Layout, in millimetres.
const (
	CardW, CardH   = 85.6, 54.0
	Cols, Rows     = 2, 4
	PerPage        = Cols * Rows
	gapX, gapY     = 8.0, 10.0
	pageW, pageH   = 210.0, 297.0
	marginX        = (pageW - Cols*CardW - (Cols-1)*gapX) / 2
	marginY        = (pageH - Rows*CardH - (Rows-1)*gapY) / 2
	qrSize         = 24.0
	barW, barH     = 62.0, 10.0
	photoW, photoH = 18.0, 22.0
)

// FontPaths are where a CJK TrueType font is looked for, in order, when
// none is given (Debian's fonts-droid-fallback first); LatinPaths where
// the font of everything else is (Debian's fonts-dejavu-core). Text is
// set in runs: CJK characters in the first, the rest in the second, as
// the CJK fonts with TrueType outlines in Debian carry no Latin letters.
var (
	FontPaths = []string{
		"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	}
	LatinPaths = []string{
		"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	}
)

// ErrNoFont is returned when no CJK font is found.
var ErrNoFont = errors.New("badges: no CJK TrueType font (install Debian's fonts-droid-fallback, or give punchd -badge-font)")

// ErrNoLatinFont is returned when no font for Latin text is found.
var ErrNoLatinFont = errors.New("badges: no Latin TrueType font (install Debian's fonts-dejavu-core)")

// FindFont returns path if set, else the first of FontPaths that exists.
func FindFont(path string) (string, error) {
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("badges: font: %w", err)
		}
		return path, nil
	}
	return first(FontPaths, ErrNoFont)
}

func first(paths []string, none error) (string, error) {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", none
}

// Origin is the top-left corner of card i of its page, in millimetres.
func Origin(i int) (x, y float64) {
	i %= PerPage
	return marginX + float64(i%Cols)*(CardW+gapX), marginY + float64(i/Cols)*(CardH+gapY)
}

// QRBox and BarBox are where a card's QR code and barcode (quiet zones
// included) are, relative to its origin: x, y, width, height in mm.
func QRBox() (x, y, w, h float64) { return CardW - 4 - qrSize, 4, qrSize, qrSize }

func BarBox() (x, y, w, h float64) { return (CardW - barW) / 2, CardH - 5.5 - barH, barW, barH }

// Render writes the sheets of cards as a PDF to w, with the CJK font at
// fontPath.
func Render(w io.Writer, cards []Card, fontPath string) error {
	font, err := os.ReadFile(fontPath)
	if err != nil {
		return fmt.Errorf("badges: font: %w", err)
	}
	latinPath, err := first(LatinPaths, ErrNoLatinFont)
	if err != nil {
		return err
	}
	latin, err := os.ReadFile(latinPath)
	if err != nil {
		return fmt.Errorf("badges: font: %w", err)
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreator("punchclock", true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddUTF8FontFromBytes("cjk", "", font)
	pdf.AddUTF8FontFromBytes("latin", "", latin)
	if len(cards) == 0 {
		pdf.AddPage()
		text(pdf, marginX, marginY+6, "No badges / 没有工牌", 12)
	}
	for i, c := range cards {
		if i%PerPage == 0 {
			pdf.AddPage()
		}
		x, y := Origin(i)
		if err := card(pdf, x, y, c); err != nil {
			return err
		}
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("badges: %w", err)
	}
	return pdf.Output(w)
}

func card(pdf *fpdf.Fpdf, x, y float64, c Card) error {
	pdf.SetLineWidth(0.2)
	pdf.SetDrawColor(170, 170, 170)
	pdf.Rect(x, y, CardW, CardH, "D")
	// The photo's place.
	pdf.SetDrawColor(120, 120, 120)
	pdf.Rect(x+4, y+4, photoW, photoH, "D")
	pdf.SetTextColor(120, 120, 120)
	label := "photo 照片"
	text(pdf, x+4+(photoW-width(pdf, label, 6))/2, y+4+photoH/2+1, label, 6)
	// Who.
	pdf.SetTextColor(0, 0, 0)
	textX, textW := x+4+photoW+3, CardW-4-qrSize-2-(4+photoW+3)
	line := y + 9
	lines, size := nameLines(pdf, c.Name, textW)
	for _, l := range lines {
		text(pdf, textX, line, l, size)
		line += size * 0.45
	}
	line += 1
	for _, s := range []string{c.EmployeeID, c.Department} {
		l, size := fit(pdf, s, textW, 8, 5)
		text(pdf, textX, line, l, size)
		line += 4.5
	}
	// The code, twice.
	qx, qy, qw, _ := QRBox()
	if err := drawQR(pdf, x+qx, y+qy, qw, c.Code); err != nil {
		return err
	}
	bx, by, bw, bh := BarBox()
	if err := drawCode128(pdf, x+bx, y+by, bw, bh, c.Code); err != nil {
		return err
	}
	code, size := fit(pdf, c.Code, bw, 7, 5)
	text(pdf, x+bx+(bw-width(pdf, code, size))/2, y+by+bh+3, code, size)
	return nil
}

// run is a stretch of text set in one font.
type run struct {
	s   string
	cjk bool
}

// runs cuts s where it changes between CJK characters (U+2E80 on: CJK
// radicals and ideographs, kana, Hangul, full-width forms) and the rest.
func runs(s string) []run {
	var out []run
	for _, r := range s {
		cjk := r >= 0x2E80
		if n := len(out); n > 0 && out[n-1].cjk == cjk {
			out[n-1].s += string(r)
			continue
		}
		out = append(out, run{string(r), cjk})
	}
	return out
}

func setRunFont(pdf *fpdf.Fpdf, r run, size float64) {
	if r.cjk {
		pdf.SetFont("cjk", "", size)
	} else {
		pdf.SetFont("latin", "", size)
	}
}

// width is s's width at size, in mm.
func width(pdf *fpdf.Fpdf, s string, size float64) float64 {
	w := 0.0
	for _, r := range runs(s) {
		setRunFont(pdf, r, size)
		w += pdf.GetStringWidth(r.s)
	}
	return w
}

// text sets s at size with its baseline at (x, y).
func text(pdf *fpdf.Fpdf, x, y float64, s string, size float64) {
	for _, r := range runs(s) {
		setRunFont(pdf, r, size)
		pdf.Text(x, y, r.s)
		x += pdf.GetStringWidth(r.s)
	}
}

// fit returns the largest font size from max down to min (in steps of
// 0.5) at which s fits in w, and s, cut short with an ellipsis if it
// does not fit even at min: text never runs into the codes.
func fit(pdf *fpdf.Fpdf, s string, w, max, min float64) (string, float64) {
	for size := max; size >= min; size -= 0.5 {
		if width(pdf, s, size) <= w {
			return s, size
		}
	}
	r := []rune(s)
	for len(r) > 0 && width(pdf, string(r)+"…", min) > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…", min
}

// nameLines returns the name's lines and font size: one line at 14 to 9
// points, else two lines broken between words at 9 to 7 points, else
// fit's cut.
func nameLines(pdf *fpdf.Fpdf, name string, w float64) ([]string, float64) {
	for size := 14.0; size >= 9; size -= 0.5 {
		if width(pdf, name, size) <= w {
			return []string{name}, size
		}
	}
	words := strings.Fields(name)
	for size := 9.0; size >= 7 && len(words) > 1; size -= 0.5 {
		for i := len(words) - 1; i > 0; i-- {
			a, b := strings.Join(words[:i], " "), strings.Join(words[i:], " ")
			if width(pdf, a, size) <= w && width(pdf, b, size) <= w {
				return []string{a, b}, size
			}
		}
	}
	s, size := fit(pdf, name, w, 9, 7)
	return []string{s}, size
}

// drawQR draws code's QR symbol (error correction M, with its 4-module
// quiet zone) in a size x size square.
func drawQR(pdf *fpdf.Fpdf, x, y, size float64, code string) error {
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("badges: QR of %q: %w", code, err)
	}
	bits := q.Bitmap() // with the quiet zone
	m := size / float64(len(bits))
	pdf.SetFillColor(0, 0, 0)
	for r, row := range bits {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			pdf.Rect(x+float64(start)*m, y+float64(r)*m, float64(c-start)*m, m, "F")
		}
	}
	return nil
}

// drawCode128 draws code's Code 128 barcode in a width x height box, the
// bars between quiet zones of 10 modules.
func drawCode128(pdf *fpdf.Fpdf, x, y, width, height float64, code string) error {
	bm, err := oned.NewCode128Writer().Encode(code, gozxing.BarcodeFormat_CODE_128, 0, 1, nil)
	if err != nil {
		return fmt.Errorf("badges: Code 128 of %q: %w", code, err)
	}
	// The writer adds its own quiet zone; find the bars.
	first, last := -1, -1
	for i := range bm.GetWidth() {
		if bm.Get(i, 0) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return fmt.Errorf("badges: Code 128 of %q: no bars", code)
	}
	modules := last - first + 1
	m := width / float64(modules+20)
	x0 := x + 10*m
	pdf.SetFillColor(0, 0, 0)
	for i := first; i <= last; {
		if !bm.Get(i, 0) {
			i++
			continue
		}
		start := i
		for i <= last && bm.Get(i, 0) {
			i++
		}
		pdf.Rect(x0+float64(start-first)*m, y, float64(i-start)*m, height, "F")
	}
	return nil
}
