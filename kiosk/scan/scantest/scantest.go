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
	Seed uint64 `json:"seed,omitempty"`
	// Width and Height of the frame; default 640x480.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// X and Y place the code's centre, as fractions of the frame's width and
	// height; default 0.42, 0.56 (off-centre, as people hold badges).
	X float64 `json:"x,omitempty"`
	Y float64 `json:"y,omitempty"`
	// Size is the code's width in pixels, quiet zone included; default 170
	// for 2D codes and 380 for 1D codes.
	Size float64 `json:"size,omitempty"`
	// Angle rotates the badge clockwise, in degrees.
	Angle float64 `json:"angle,omitempty"`
	// TiltX turns the badge about its vertical axis and TiltY about its
	// horizontal axis, in degrees, seen in perspective by a lens of a
	// 60-degree field of view: one side of the code nearer the camera.
	TiltX float64 `json:"tilt_x,omitempty"`
	TiltY float64 `json:"tilt_y,omitempty"`
	// Blur is the radius in pixels of a box blur (out of focus); default 0.
	Blur int `json:"blur,omitempty"`
	// Motion is the length in pixels of a streak along MotionAngle
	// (degrees, clockwise from the x axis): a badge moved during the
	// exposure.
	Motion      float64 `json:"motion,omitempty"`
	MotionAngle float64 `json:"motion_angle,omitempty"`
	// Noise is the standard deviation of per-pixel sensor noise in gray
	// levels; default 0.
	Noise float64 `json:"noise,omitempty"`
	// Brightness is added to every level (-255..255), Contrast multiplies
	// the distance from mid gray (default 1).
	Brightness float64 `json:"brightness,omitempty"`
	Contrast   float64 `json:"contrast,omitempty"`
	// Ink and Paper are the levels of the code's dark and light modules
	// before exposure; default 28 and 232. Ink 110 and Paper 150 make a
	// code that spans 40 gray levels.
	Ink   float64 `json:"ink,omitempty"`
	Paper float64 `json:"paper,omitempty"`
	// Invert prints the code light on a dark card.
	Invert bool `json:"invert,omitempty"`
	// Glare is a bright reflection on the badge (zero: none).
	Glare Spot `json:"glare,omitzero"`
	// Cover is a part of the code hidden by a thumb or a lanyard clip, in
	// code coordinates: fractions of the code's width and height from its
	// top-left corner, before rotation (zero: none).
	Cover Box `json:"cover,omitzero"`
	// Stripes is how many striped objects (blinds, a book shelf, a
	// keyboard) the background holds; the first two flank the badge.
	Stripes int `json:"stripes,omitempty"`
	// Checks is how many patches of small random squares (printed text, a
	// patterned shirt) the background holds.
	Checks int `json:"checks,omitempty"`
	// Card draws the badge card even when there is no code: a badge held
	// the wrong way round or a card with only a photo on it.
	Card bool `json:"card,omitempty"`
}

// Spot is a bright reflection: Level gray levels added at its centre (X, Y
// as fractions of the frame), falling off as a Gaussian of radius R
// pixels.
type Spot struct {
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	R     float64 `json:"r"`
	Level float64 `json:"level"`
}

// Box is a rectangle in fractions of the code, from (X0, Y0) to (X1, Y1);
// Level is its gray (default 150, a thumb).
type Box struct {
	X0    float64 `json:"x0"`
	Y0    float64 `json:"y0"`
	X1    float64 `json:"x1"`
	Y1    float64 `json:"y1"`
	Level float64 `json:"level,omitempty"`
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
	if s.Ink == 0 {
		s.Ink = ink
	}
	if s.Paper == 0 {
		s.Paper = paper
	}
	if s.Cover != (Box{}) && s.Cover.Level == 0 {
		s.Cover.Level = 150
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
