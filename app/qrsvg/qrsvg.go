// Package qrsvg draws QR codes as SVG: one rectangle a run of dark
// modules, so a code is sharp at any scale on any screen, and drawing it
// needs no image encoder in a browser's download (a PNG encoder and its
// compressor cost the kiosk some 30 KB of brotli). The kiosk's rotating
// code (kiosk/rotate) and the console's enrollment and phone links use
// it; Raster turns a code back into pixels for tests.
//
// It builds for linux and js/wasm.
package qrsvg

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"strconv"
	"strings"

	"github.com/skip2/go-qrcode"
)

// DataURLPrefix starts a code's data URL (then base64 of the SVG).
const DataURLPrefix = "data:image/svg+xml;base64,"

// Encode renders text as an SVG QR code about size pixels wide, with
// medium error correction (15%: survives glare on the tablet's glass
// without making the code denser than a phone reads quickly) and a quiet
// zone. Its width and height give every module the same whole number of
// pixels, the largest not above size (or one pixel a module if size is
// too small); its viewBox counts modules, one unit each.
func Encode(text string, size int) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qrsvg: encode: %w", err)
	}
	bm := q.Bitmap() // quiet zone included
	n := len(bm)
	px := strconv.Itoa(max(1, size/n) * n)
	ns := strconv.Itoa(n)
	b := make([]byte, 0, 4096)
	b = append(b, `<svg xmlns="http://www.w3.org/2000/svg" width="`+px+`" height="`+px+`" viewBox="0 0 `+ns+` `+ns+`" shape-rendering="crispEdges"><rect width="`+ns+`" height="`+ns+`" fill="#fff"/><path fill="#000" d="`...)
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			w := 1
			for x+w < len(row) && row[x+w] {
				w++
			}
			b = append(b, 'M')
			b = strconv.AppendInt(b, int64(x), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(y), 10)
			b = append(b, 'h')
			b = strconv.AppendInt(b, int64(w), 10)
			b = append(b, "v1h-"...)
			b = strconv.AppendInt(b, int64(w), 10)
			b = append(b, 'z')
			x += w
		}
	}
	b = append(b, `"/></svg>`...)
	return b, nil
}

// Raster draws an SVG that Encode made at scale pixels a module, for
// tests and tools that read the code back as a phone would.
func Raster(svg []byte, scale int) (*image.Gray, error) {
	s := string(svg)
	_, rest, ok := strings.Cut(s, `viewBox="0 0 `)
	if !ok {
		return nil, errors.New("qrsvg: not an SVG of Encode: no viewBox")
	}
	dim, _, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(dim)
	if err != nil || n <= 0 || n > 1000 || scale <= 0 {
		return nil, errors.New("qrsvg: not an SVG of Encode: bad viewBox")
	}
	_, d, ok := strings.Cut(s, ` d="`)
	if !ok {
		return nil, errors.New("qrsvg: not an SVG of Encode: no path")
	}
	d, _, _ = strings.Cut(d, `"`)
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for _, run := range strings.Split(d, "z") {
		if run == "" {
			continue
		}
		var x, y, w, w2 int
		if _, err := fmt.Sscanf(run, "M%d %dh%dv1h-%d", &x, &y, &w, &w2); err != nil || w != w2 || x < 0 || y < 0 || x+w > n || y >= n {
			return nil, fmt.Errorf("qrsvg: not an SVG of Encode: run %q", run)
		}
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+w)*scale; px++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	return img, nil
}
