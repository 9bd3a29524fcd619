package scan_test

import (
	"image"
	"math"
	"slices"
	"testing"
	"time"

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

// BenchmarkCorpus decodes every frame of the badge corpus
// (testdata/scan/corpus.json) once per iteration and reports the median
// and worst milliseconds a frame, over code frames and over frames
// without a code, and how many code frames were read. A frame's time is
// its fastest over the iterations, which a loaded machine disturbs least.
func BenchmarkCorpus(b *testing.B) {
	frames := loadCorpus(b)
	d := scan.NewDecoder()
	best := make([]float64, len(frames))
	for i := range best {
		best[i] = math.Inf(1)
	}
	read := 0
	for b.Loop() {
		read = 0
		for i, f := range frames {
			w, h := f.img.Rect.Dx(), f.img.Rect.Dy()
			start := time.Now()
			res, err := d.DecodeRGBA(f.img.Pix, w, h)
			best[i] = min(best[i], float64(time.Since(start))/float64(time.Millisecond))
			if f.Symbology == "" {
				if err == nil {
					b.Fatalf("%s: read %+v from a frame without a code", f.Name, res)
				}
				continue
			}
			if err == nil && res.Text == f.Text {
				read++
			}
		}
	}
	var codeMs, noneMs []float64
	for i, f := range frames {
		if f.Symbology == "" {
			noneMs = append(noneMs, best[i])
		} else {
			codeMs = append(codeMs, best[i])
		}
	}
	b.ReportMetric(median(best), "median-ms/frame")
	b.ReportMetric(median(codeMs), "code-median-ms")
	b.ReportMetric(slices.Max(codeMs), "code-max-ms")
	b.ReportMetric(median(noneMs), "none-median-ms")
	b.ReportMetric(slices.Max(noneMs), "none-max-ms")
	b.ReportMetric(float64(read), "read")
	b.ReportMetric(float64(len(codeMs)), "codes")
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
