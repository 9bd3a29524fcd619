package scan_test

import (
	"image"
	"testing"

	"punchclock/kiosk/scan"
	"punchclock/kiosk/scan/scantest"
)

// benchFrames are the frames the benchmarks use: a QR badge, a Code 128
// badge, the empty entrance (the common case) and noise (the worst case).
func benchFrames(tb testing.TB) []struct {
	name string
	img  *image.RGBA
	want string
} {
	tb.Helper()
	qr, err := scantest.RenderQR("EMP-000123", scantest.Camera(1))
	if err != nil {
		tb.Fatal(err)
	}
	c128, err := scantest.RenderCode128("EMP-000123", scantest.Camera(2))
	if err != nil {
		tb.Fatal(err)
	}
	return []struct {
		name string
		img  *image.RGBA
		want string
	}{
		{"qr", qr, "EMP-000123"},
		{"code128", c128, "EMP-000123"},
		{"empty", scantest.Empty(scantest.Camera(3)), ""},
		// Uniform random pixels: not a scene a camera sees, but the worst
		// case for the finder-pattern search, so a bound on a frame's cost.
		{"noise", scantest.Noise(4, scantest.FrameWidth, scantest.FrameHeight), ""},
	}
}

// BenchmarkDecode640x480 measures one frame through DecodeRGBA, the path
// the kiosk takes with a canvas ImageData: gray conversion included. Run it
// in wasm under Node with
//
//	GOOS=js GOARCH=wasm go test -exec "$(go env GOROOT)/lib/wasm/go_js_wasm_exec" \
//	    -run '^$' -bench Decode640x480 ./kiosk/scan/
//
// and against zbarimg and ZXingReader with ./internal/peerbench.
func BenchmarkDecode640x480(b *testing.B) {
	for _, f := range benchFrames(b) {
		b.Run(f.name, func(b *testing.B) {
			d := scan.NewDecoder()
			w, h := f.img.Bounds().Dx(), f.img.Bounds().Dy()
			b.ReportAllocs()
			for b.Loop() {
				res, err := d.DecodeRGBA(f.img.Pix, w, h)
				if f.want != "" && (err != nil || res.Text != f.want) {
					b.Fatalf("DecodeRGBA = %+v, %v; want %q", res, err, f.want)
				}
			}
		})
	}
}
