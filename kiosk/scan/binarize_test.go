package scan

import (
	"image"
	"testing"

	"github.com/makiuchi-d/gozxing"

	"punchclock/kiosk/scan/scantest"
)

// TestBinarizerMatchesHybrid checks the rewritten binarizer against
// gozxing's HybridBinarizer bit for bit, on frame sizes that are and are
// not multiples of the block size (the last block row and column overlap
// their neighbours), and with one binarizerMem reused across all of them.
func TestBinarizerMatchesHybrid(t *testing.T) {
	qr, err := scantest.QR("EMP-000123")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		img  *image.RGBA
	}{
		{"qr 640x480", scantest.Render(&qr, scantest.Camera(1))},
		{"empty 640x480", scantest.Empty(scantest.Camera(2))},
		{"noise 640x480", scantest.Noise(3, 640, 480)},
		{"qr 643x477", scantest.Render(&qr, scantest.Scene{Seed: 4, Width: 643, Height: 477, Angle: 7, Noise: 6})},
		{"noise 61x45", scantest.Noise(5, 61, 45)},
		{"qr 40x40", scantest.Render(&qr, scantest.Scene{Width: 40, Height: 40, X: 0.5, Y: 0.5, Size: 36})},
		{"noise 39x300 (global fallback)", scantest.Noise(6, 39, 300)},
		{"qr 640x480 again", scantest.Render(&qr, scantest.Camera(7))},
	}
	var mem binarizerMem
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h := tt.img.Rect.Dx(), tt.img.Rect.Dy()
			gray := make([]byte, w*h)
			grayFromRGBA(gray, tt.img.Pix, w, h, tt.img.Stride)
			src, err := gozxing.NewPlanarYUVLuminanceSource(gray, w, h, 0, 0, w, h, false)
			if err != nil {
				t.Fatal(err)
			}
			want, err := gozxing.NewHybridBinarizer(src).GetBlackMatrix()
			if err != nil {
				t.Fatal(err)
			}
			got, err := newBinarizer(src, gray, w, h, &mem, false).GetBlackMatrix()
			if err != nil {
				t.Fatal(err)
			}
			diff := 0
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					if got.Get(x, y) != want.Get(x, y) {
						diff++
					}
				}
			}
			if diff != 0 {
				t.Errorf("%d of %d pixels differ from HybridBinarizer", diff, w*h)
			}
		})
	}
}
