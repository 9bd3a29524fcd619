// Package scantest renders badge codes into frames that look like what a
// kiosk camera sees, and writes them as a YUV4MPEG2 video for Chromium's fake
// camera.
//
// Everything is deterministic: a Scene with the same Seed renders the same
// pixels on every machine, so tests built on these frames do not flake and
// benchmarks compare like with like. Fixtures are generated in code rather
// than stored, which keeps the repository small and lets a test vary one
// parameter (angle, blur, noise) at a time.
package scantest

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/skip2/go-qrcode"
)

// Frame size of the kiosk camera preview the decoder is tuned for.
const (
	FrameWidth  = 640
	FrameHeight = 480
)

// Symbol is a code as a grid of modules, quiet zone included.
type Symbol struct {
	// Dark holds one row per module row; Dark[y][x] is true for a dark
	// module. A 1D code has a single row.
	Dark [][]bool
	// BarHeight is the height of a 1D code's bars as a fraction of the code's
	// width; it is ignored for 2D codes, whose modules are square.
	BarHeight float64
}

// QR encodes text as a QR code with medium error correction, the level
// badges are printed with.
func QR(text string) (Symbol, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return Symbol{}, fmt.Errorf("scantest: qr: %w", err)
	}
	return Symbol{Dark: q.Bitmap()}, nil
}

// Code128 encodes text as a Code 128 barcode with a ten-module quiet zone.
func Code128(text string) (Symbol, error) {
	return oneD(oned.NewCode128Writer(), gozxing.BarcodeFormat_CODE_128, text)
}

// Code39 encodes text (upper case, digits, a few symbols) as Code 39.
func Code39(text string) (Symbol, error) {
	return oneD(oned.NewCode39Writer(), gozxing.BarcodeFormat_CODE_39, text)
}

// EAN13 encodes 12 or 13 digits as EAN-13 (the check digit is computed when
// 12 are given).
func EAN13(digits string) (Symbol, error) {
	return oneD(oned.NewEAN13Writer(), gozxing.BarcodeFormat_EAN_13, digits)
}

func oneD(w gozxing.Writer, f gozxing.BarcodeFormat, text string) (Symbol, error) {
	// Width 1 asks for the natural size: one pixel per module.
	m, err := w.Encode(text, f, 1, 1, nil)
	if err != nil {
		return Symbol{}, fmt.Errorf("scantest: %v: %w", f, err)
	}
	row := make([]bool, m.GetWidth())
	for x := range row {
		row[x] = m.Get(x, 0)
	}
	return Symbol{Dark: [][]bool{row}, BarHeight: 0.3}, nil
}

// Scene describes how a badge appears in a frame. Zero fields take the
// defaults noted, which resemble a badge held at arm's length in front of a
// tablet's front camera.
type Scene struct {
	// Seed drives the background clutter and the sensor noise.
	Seed uint64
	// Width and Height of the frame; default 640x480.
	Width, Height int
	// X and Y place the code's centre, as fractions of the frame's width and
	// height; default 0.42, 0.56 (off-centre, as people hold badges).
	X, Y float64
	// Size is the code's width in pixels, quiet zone included; default 170
	// for 2D codes and 380 for 1D codes.
	Size float64
	// Angle rotates the badge clockwise, in degrees.
	Angle float64
	// Blur is the radius in pixels of a box blur (out of focus, motion);
	// default 0.
	Blur int
	// Noise is the standard deviation of per-pixel sensor noise in gray
	// levels; default 0.
	Noise float64
	// Brightness is added to every level (-255..255), Contrast multiplies
	// the distance from mid gray (default 1).
	Brightness, Contrast float64
}

// Camera is a Scene with the variations a real camera adds: off-centre,
// slightly rotated, a little blur and noise, and dimmer, flatter light.
func Camera(seed uint64) Scene {
	return Scene{Seed: seed, Angle: 4, Blur: 1, Noise: 5, Brightness: -10, Contrast: 0.85}
}

func (s Scene) withDefaults(sym *Symbol) Scene {
	if s.Width == 0 {
		s.Width = FrameWidth
	}
	if s.Height == 0 {
		s.Height = FrameHeight
	}
	if s.X == 0 {
		s.X = 0.42
	}
	if s.Y == 0 {
		s.Y = 0.56
	}
	if s.Size == 0 {
		s.Size = 170
		if sym != nil && len(sym.Dark) == 1 {
			s.Size = 380
		}
	}
	if s.Contrast == 0 {
		s.Contrast = 1
	}
	return s
}

// RenderQR renders text as a badge QR in a camera frame.
func RenderQR(text string, s Scene) (*image.RGBA, error) {
	sym, err := QR(text)
	if err != nil {
		return nil, err
	}
	return Render(&sym, s), nil
}

// RenderCode128 renders text as a badge Code 128 in a camera frame.
func RenderCode128(text string, s Scene) (*image.RGBA, error) {
	sym, err := Code128(text)
	if err != nil {
		return nil, err
	}
	return Render(&sym, s), nil
}

// Empty renders the scene without a badge: the frame a kiosk sees most of
// the day.
func Empty(s Scene) *image.RGBA {
	return Render(nil, s)
}

// Noise returns a frame of uniformly random pixels, the worst case for a
// decoder's pattern search.
func Noise(seed uint64, width, height int) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 0x6e6f697365))
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.Uint32())
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	return img
}

// Paper and ink levels of a printed badge under office light.
const (
	paper = 232.0
	ink   = 28.0
)

// rect is a filled rectangle of the background clutter.
type rect struct {
	x0, y0, x1, y1 float64
	v              float64
}

// Render draws sym (nil for no badge) into a frame as described by s.
func Render(sym *Symbol, s Scene) *image.RGBA {
	s = s.withDefaults(sym)
	w, h := s.Width, s.Height
	rng := rand.New(rand.NewPCG(s.Seed, 0x62616467))

	// Background: a wall lit from above with a few darker and lighter
	// objects, so that the binarizer sees edges that are not a code.
	clutter := make([]rect, 6)
	for i := range clutter {
		x0, y0 := rng.Float64()*float64(w), rng.Float64()*float64(h)
		clutter[i] = rect{x0, y0, x0 + 40 + rng.Float64()*200, y0 + 40 + rng.Float64()*160, 50 + rng.Float64()*150}
	}

	// The badge geometry in badge coordinates (pixels, origin at the code's
	// centre, before rotation).
	var cols, rows int
	var modW, modH, codeW, codeH float64
	if sym != nil {
		rows, cols = len(sym.Dark), len(sym.Dark[0])
		codeW = s.Size
		modW = codeW / float64(cols)
		if rows == 1 {
			codeH = codeW * sym.BarHeight
			modH = codeH
		} else {
			modH = modW
			codeH = modH * float64(rows)
		}
	}
	// The card extends beyond the code: a header band above, printed name
	// lines below.
	cardL, cardR := -codeW*0.6, codeW*0.6
	cardT, cardB := -codeH/2-codeW*0.35, codeH/2+codeW*0.3
	sin, cos := math.Sincos(-s.Angle * math.Pi / 180)
	cx, cy := s.X*float64(w), s.Y*float64(h)

	sample := func(fx, fy float64) float64 {
		if sym != nil {
			dx, dy := fx-cx, fy-cy
			u := dx*cos - dy*sin
			v := dx*sin + dy*cos
			if u >= cardL && u < cardR && v >= cardT && v < cardB {
				switch {
				case u >= -codeW/2 && u < codeW/2 && v >= -codeH/2 && v < codeH/2:
					mx := int((u + codeW/2) / modW)
					my := int((v + codeH/2) / modH)
					if sym.Dark[min(my, rows-1)][min(mx, cols-1)] {
						return ink
					}
					return paper
				case v < cardT+codeW*0.12:
					return 70 // coloured header band
				case v > codeH/2+codeW*0.1 && v < codeH/2+codeW*0.16 && u < codeW*0.3:
					return 110 // the printed name
				}
				return paper
			}
		}
		val := 150 - 50*fy/float64(h)
		for _, r := range clutter {
			if fx >= r.x0 && fx < r.x1 && fy >= r.y0 && fy < r.y1 {
				val = r.v
			}
		}
		return val
	}

	// 2x2 supersampling softens edges the way a lens does.
	gray := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x), float64(y)
			gray[y*w+x] = (sample(fx+0.25, fy+0.25) + sample(fx+0.75, fy+0.25) +
				sample(fx+0.25, fy+0.75) + sample(fx+0.75, fy+0.75)) / 4
		}
	}
	if s.Blur > 0 {
		boxBlur(gray, w, h, s.Blur)
	}

	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i, v := range gray {
		v = (v-128)*s.Contrast + 128 + s.Brightness
		// A slight warm cast, so the gray conversion has colour to weigh.
		p := img.Pix[i*4 : i*4+4 : i*4+4]
		p[0] = clamp(v*1.04 + s.Noise*rng.NormFloat64())
		p[1] = clamp(v + s.Noise*rng.NormFloat64())
		p[2] = clamp(v*0.92 + s.Noise*rng.NormFloat64())
		p[3] = 255
	}
	return img
}

// boxBlur blurs g in place with a (2r+1)^2 box, horizontally then
// vertically.
func boxBlur(g []float64, w, h, r int) {
	tmp := make([]float64, max(w, h))
	n := float64(2*r + 1)
	for y := 0; y < h; y++ {
		row := g[y*w : (y+1)*w]
		for x := 0; x < w; x++ {
			sum := 0.0
			for k := -r; k <= r; k++ {
				sum += row[min(max(x+k, 0), w-1)]
			}
			tmp[x] = sum / n
		}
		copy(row, tmp[:w])
	}
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			sum := 0.0
			for k := -r; k <= r; k++ {
				sum += g[min(max(y+k, 0), h-1)*w+x]
			}
			tmp[y] = sum / n
		}
		for y := 0; y < h; y++ {
			g[y*w+x] = tmp[y]
		}
	}
}

func clamp(v float64) byte {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return byte(v + 0.5)
}
