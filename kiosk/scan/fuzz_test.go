package scan_test

import (
	"errors"
	"image"
	"image/draw"
	"testing"

	"punchclock/kiosk/scan"
	"punchclock/kiosk/scan/scantest"
)

// fuzzDims turns arbitrary bytes into a frame shape: the width comes from
// the input, the height from however many whole rows the data holds. Frames
// stay small so that the fuzzer explores many of them a second.
func fuzzDims(n int, w uint16, bpp int) (width, height int) {
	width = 1 + int(w)%256
	return width, n / (width * bpp)
}

// checkFuzzErr fails on anything but a clean answer: a decoded code, "not
// found" or "bad frame". A recovered panic inside gozxing surfaces here as
// any other error.
func checkFuzzErr(t *testing.T, err error) {
	t.Helper()
	if err != nil && !errors.Is(err, scan.ErrNotFound) && !errors.Is(err, scan.ErrBadFrame) {
		t.Fatalf("unexpected error: %v", err)
	}
}

func smallQRFrame(tb testing.TB) *image.Gray {
	tb.Helper()
	rgba, err := scantest.RenderQR("EMP-1", scantest.Scene{Width: 96, Height: 96, X: 0.5, Y: 0.5, Size: 80})
	if err != nil {
		tb.Fatal(err)
	}
	g := image.NewGray(rgba.Bounds())
	draw.Draw(g, g.Bounds(), rgba, image.Point{}, draw.Src)
	return g
}

func FuzzDecodeGray(f *testing.F) {
	qr := smallQRFrame(f)
	f.Add(qr.Pix, uint16(95))
	f.Add(scantest.Noise(1, 64, 64).Pix[:64*64], uint16(63))
	f.Add(make([]byte, 1024), uint16(31))
	f.Add([]byte{}, uint16(0))
	d := scan.NewDecoder()
	f.Fuzz(func(t *testing.T, data []byte, w uint16) {
		width, height := fuzzDims(len(data), w, 1)
		_, err := d.DecodeGray(data, width, height)
		checkFuzzErr(t, err)
	})
}

func FuzzDecodeRGBA(f *testing.F) {
	rgba, err := scantest.RenderQR("EMP-1", scantest.Scene{Width: 96, Height: 96, X: 0.5, Y: 0.5, Size: 80})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rgba.Pix, uint16(95))
	f.Add(scantest.Noise(2, 32, 32).Pix, uint16(31))
	f.Add([]byte{1, 2, 3}, uint16(7))
	d := scan.NewDecoder()
	f.Fuzz(func(t *testing.T, data []byte, w uint16) {
		width, height := fuzzDims(len(data), w, 4)
		_, err := d.DecodeRGBA(data, width, height)
		checkFuzzErr(t, err)
	})
}
