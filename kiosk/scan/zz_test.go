package scan_test

import (
	"image"
	"image/draw"
	"image/png"
	"os"
	"testing"

	"punchclock/kiosk/scan"
)

func BenchmarkZZPattern(b *testing.B) {
	f, _ := os.Open("../../testdata/scan/chromium-pattern-306.png")
	img, _ := png.Decode(f)
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Rect, img, image.Point{}, draw.Src)
	d := scan.NewDecoder()
	for b.Loop() {
		d.DecodeRGBA(rgba.Pix, 640, 480)
	}
}
