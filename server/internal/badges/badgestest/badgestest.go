// Package badgestest reads badge sheets back as a kiosk would: it renders
// a sheet's PDF to images with poppler's pdftoppm and decodes every card
// with the kiosk's decoder, from a 640x480 frame as its camera delivers.
package badgestest

import (
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"

	"punchclock/kiosk/scan"
	"punchclock/server/internal/badges"
)

// DPI is the resolution sheets are rendered at: a card is then about
// 600 x 380 pixels, as a kiosk camera sees a badge held up to it.
const DPI = 180

// Card is what was read from one card: its QR code and its Code 128
// barcode ("" where unreadable).
type Card struct {
	QR, Code128 string
}

// Read renders pdf and reads its first n cards.
func Read(pdf []byte, n int) ([]Card, error) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		return nil, errors.New("pdftoppm is missing: install Debian's poppler-utils (make test-deps does)")
	}
	dir, err := os.MkdirTemp("", "badges")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "badges.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		return nil, err
	}
	if out, err := exec.Command("pdftoppm", "-r", fmt.Sprint(DPI), "-gray", "-png", file, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	sort.Strings(pages)
	if want := (n + badges.PerPage - 1) / badges.PerPage; len(pages) != want {
		return nil, fmt.Errorf("%d cards on %d pages, want %d", n, len(pages), want)
	}
	px := func(mm float64) int { return int(mm / 25.4 * DPI) }
	qr, bar := scan.NewDecoder(scan.FormatQR), scan.NewDecoder(scan.FormatCode128)
	var out []Card
	var page image.Image
	for i := range n {
		if i%badges.PerPage == 0 {
			// pdftoppm pads the page numbers to the count's width
			// (page-01.png of 28): the sorted list is in page order.
			if page, err = readPNG(pages[i/badges.PerPage]); err != nil {
				return nil, err
			}
		}
		x, y := badges.Origin(i)
		crop := image.Rect(px(x), px(y), px(x+badges.CardW), px(y+badges.CardH))
		frame := image.NewGray(image.Rect(0, 0, 640, 480))
		draw.Draw(frame, frame.Bounds(), image.White, image.Point{}, draw.Src)
		at := image.Pt((640-crop.Dx())/2, (480-crop.Dy())/2)
		draw.Draw(frame, crop.Sub(crop.Min).Add(at), page, crop.Min, draw.Src)
		var c Card
		if r, err := qr.Decode(frame); err == nil {
			c.QR = r.Text
		}
		if r, err := bar.Decode(frame); err == nil {
			c.Code128 = r.Text
		}
		out = append(out, c)
	}
	return out, nil
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return png.Decode(f)
}
