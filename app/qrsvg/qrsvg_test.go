package qrsvg_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"punchclock/app/qrsvg"
)

// attr is the integer value of the first attribute name="…" in svg.
func attr(t *testing.T, svg, name string) int {
	t.Helper()
	_, rest, ok := strings.Cut(svg, " "+name+`="`)
	if !ok {
		t.Fatalf("no %s in %.100s", name, svg)
	}
	v, _, _ := strings.Cut(rest, `"`)
	v, _, _ = strings.Cut(strings.TrimPrefix(v, "0 0 "), " ")
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRoundTrip: a code drawn by Encode reads back, through Raster, with
// ZXing's QR reader; its size asks whole pixels a module, at most the
// size asked.
func TestRoundTrip(t *testing.T) {
	const text = "https://punch.example.com/p?k=kiosk-7&t=AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	svg, err := qrsvg.Encode(text, 280)
	if err != nil {
		t.Fatal(err)
	}
	n, w := attr(t, string(svg), "viewBox"), attr(t, string(svg), "width")
	if w%n != 0 || w > 280 || w <= 280-n {
		t.Errorf("%d modules drawn %d pixels wide, want whole pixels a module, at most 280", n, w)
	}
	img, err := qrsvg.Raster(svg, 4)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	got, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil || got.GetText() != text {
		t.Fatalf("read %v, %v", got, err)
	}
}

func TestEncodeTooLong(t *testing.T) {
	if _, err := qrsvg.Encode(strings.Repeat("x", 5000), 512); err == nil || !strings.HasPrefix(err.Error(), "qrsvg: ") {
		t.Errorf("Encode(5000 bytes) error = %v, want a qrsvg: error", err)
	}
}

// TestRasterRefuses: Raster reads Encode's SVG only.
func TestRasterRefuses(t *testing.T) {
	for _, svg := range []string{"", "<svg/>", `<svg viewBox="0 0 x 1"/>`, `<svg viewBox="0 0 21 21"><path d="M1 2h3v1h-4z"/></svg>`, `<svg viewBox="0 0 21 21"><path d="M20 2h3v1h-3z"/></svg>`} {
		if _, err := qrsvg.Raster([]byte(svg), 2); err == nil {
			t.Errorf("Raster(%q) read it", svg)
		}
	}
}
