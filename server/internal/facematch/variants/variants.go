// Package variants makes test images from a photo: crops, scaled and rotated
// copies, brightness changes and general affine warps (a flat photo moved or
// tilted in front of the camera), and a depth warp that imitates a head
// turn. The face tests and benchmarks use it to build their inputs from the
// few sample photos they have; nothing here runs in the service.
package variants

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
)

// Decode decodes a JPEG into an RGBA image.
func Decode(b []byte) (*image.RGBA, error) {
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("variants: decode: %w", err)
	}
	return toRGBA(img), nil
}

func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok && r.Rect.Min == (image.Point{}) {
		return r
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.Set(x, y, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}

// Encode encodes img as a JPEG of the given quality.
func Encode(img image.Image, quality int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(err) // only fails on writer errors, and a bytes.Buffer has none
	}
	return buf.Bytes()
}

// Crop returns the part r of img (clipped to its bounds) as a new image.
func Crop(img *image.RGBA, r image.Rectangle) *image.RGBA {
	return toRGBA(img.SubImage(r.Intersect(img.Rect)))
}

// Affine maps output pixel (x, y) to source point (A*x+B*y+C, D*x+E*y+F).
type Affine struct{ A, B, C, D, E, F float64 }

// Apply maps p.
func (m Affine) Apply(x, y float64) (float64, float64) {
	return m.A*x + m.B*y + m.C, m.D*x + m.E*y + m.F
}

// Similarity is the source-from-output map of a photo that is scaled by s
// and rotated by deg degrees about the centre (cx, cy), then moved by
// (dx, dy), in an output image with the same centre.
func Similarity(cx, cy, s, deg, dx, dy float64) Affine {
	return Tilt(cx, cy, s, s, deg, dx, dy)
}

// Tilt is like Similarity with separate horizontal and vertical scales: a
// flat photo turned about its vertical axis (sx < sy) or its horizontal axis
// (sy < sx) looks like that to a distant camera.
func Tilt(cx, cy, sx, sy, deg, dx, dy float64) Affine {
	th := deg * math.Pi / 180
	c, s := math.Cos(th), math.Sin(th)
	// forward: p' = R * S * (p - centre) + centre + d; invert it.
	// inverse: p = S^-1 R^-1 (p' - centre - d) + centre
	a, b := c/sx, s/sx
	d, e := -s/sy, c/sy
	ox, oy := -cx-dx, -cy-dy
	return Affine{A: a, B: b, C: a*ox + b*oy + cx, D: d, E: e, F: d*ox + e*oy + cy}
}

// Warp renders a w×h image whose pixel (x, y) is img sampled bilinearly at
// m(x, y); points outside img are mid grey, like a wall behind a photo.
func Warp(img *image.RGBA, w, h int, m Affine) *image.RGBA {
	return WarpFunc(img, w, h, func(x, y float64) (float64, float64) { return m.Apply(x, y) })
}

// WarpFunc is Warp with any source-from-output map.
func WarpFunc(img *image.RGBA, w, h int, f func(x, y float64) (float64, float64)) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sx, sy := f(float64(x), float64(y))
			out.SetRGBA(x, y, bilinear(img, sx, sy))
		}
	}
	return out
}

var grey = color.RGBA{128, 128, 128, 255}

func bilinear(img *image.RGBA, x, y float64) color.RGBA {
	b := img.Rect
	if x < 0 || y < 0 || x > float64(b.Dx()-1) || y > float64(b.Dy()-1) {
		return grey
	}
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, b.Dx()-1), min(y0+1, b.Dy()-1)
	fx, fy := x-float64(x0), y-float64(y0)
	var out [4]uint8
	for c := range 4 {
		p00 := float64(img.Pix[y0*img.Stride+x0*4+c])
		p10 := float64(img.Pix[y0*img.Stride+x1*4+c])
		p01 := float64(img.Pix[y1*img.Stride+x0*4+c])
		p11 := float64(img.Pix[y1*img.Stride+x1*4+c])
		v := (p00*(1-fx)+p10*fx)*(1-fy) + (p01*(1-fx)+p11*fx)*fy
		out[c] = uint8(math.Round(v))
	}
	return color.RGBA{out[0], out[1], out[2], out[3]}
}

// Scale resizes img to w×h bilinearly.
func Scale(img *image.RGBA, w, h int) *image.RGBA {
	sx := float64(img.Rect.Dx()) / float64(w)
	sy := float64(img.Rect.Dy()) / float64(h)
	return WarpFunc(img, w, h, func(x, y float64) (float64, float64) { return (x+0.5)*sx - 0.5, (y+0.5)*sy - 0.5 })
}

// Brightness multiplies every colour channel by k, clipping at 255.
func Brightness(img *image.RGBA, k float64) *image.RGBA {
	out := image.NewRGBA(img.Rect)
	for i := 0; i < len(img.Pix); i += 4 {
		for c := range 3 {
			out.Pix[i+c] = uint8(min(255, math.Round(float64(img.Pix[i+c])*k)))
		}
		out.Pix[i+3] = 255
	}
	return out
}

// HeadTurn imitates a head turning by deg degrees about the vertical axis
// through (cx, cy), seen by an orthographic camera. The face is modelled as
// a half-cylinder-like bulge of half-width r (about the half-width of the
// head) plus a nose: a bump of height nose*r centred on (nx, ny) with
// radius about r/3. A surface point (x, z(x, y)) moves to
// x' = x·cos θ + z·sin θ; the warp inverts that per output pixel by fixed
// point iteration. It is a proxy for a real head turn, not a replacement:
// cheeks, ears and the hidden side of the nose are not rendered truthfully.
func HeadTurn(img *image.RGBA, cx, cy, r, nx, ny, nose, deg float64) *image.RGBA {
	th := deg * math.Pi / 180
	c, s := math.Cos(th), math.Sin(th)
	depth := func(x, y float64) float64 {
		u := (x - cx) / r
		z := 0.0
		if u > -1 && u < 1 {
			// A cosine profile rather than a circle: its slope stays
			// finite at the sides, so the fixed point iteration converges.
			z = r * math.Cos(u*math.Pi/2)
		}
		dx, dy := (x-nx)/(r/3), (y-ny)/(r/2.2)
		z += nose * r * math.Exp(-(dx*dx+dy*dy)/2)
		// Fade the model out away from the face vertically so the
		// background stays put.
		v := (y - cy) / (1.6 * r)
		return z * math.Exp(-v*v*v*v)
	}
	b := img.Rect
	return WarpFunc(img, b.Dx(), b.Dy(), func(xo, y float64) (float64, float64) {
		// Solve (x-cx)·c + (z(x)-z0)·s + cx = xo for x, z0 keeping the axis point fixed.
		z0 := depth(cx, y)
		x := xo
		for range 12 {
			x = cx + (xo-cx-(depth(x, y)-z0)*s)/c
		}
		return x, y
	})
}

// PlanarTilt shows img as a flat picture (a print or a phone screen) turned
// by deg degrees about an axis in its own plane through (cx, cy), seen by a
// pinhole camera. axisDeg is the axis's direction in the image: 90 turns
// the picture about its vertical axis (as a head turns), 0 about its
// horizontal axis, 45 about a diagonal. dist is the camera's distance from
// the picture, in the picture's pixels, and also its focal length, so that
// at 0° the picture maps onto itself; the smaller dist, the stronger the
// perspective (a picture held close to the camera). Unlike a head, every
// point of the picture stays on one plane whatever the turn.
func PlanarTilt(img *image.RGBA, cx, cy, deg, axisDeg, dist float64) *image.RGBA {
	th, al := deg*math.Pi/180, axisDeg*math.Pi/180
	// Rotation by th about the unit axis k = (cos al, sin al, 0) (Rodrigues).
	kx, ky := math.Cos(al), math.Sin(al)
	c, s := math.Cos(th), math.Sin(th)
	var r [3][3]float64
	k := [3]float64{kx, ky, 0}
	for i := range 3 {
		for j := range 3 {
			r[i][j] = (1 - c) * k[i] * k[j]
			if i == j {
				r[i][j] += c
			}
		}
	}
	// + sin·[k]x, with [k]x the cross-product matrix of k (k has no z).
	r[0][2] += s * ky
	r[1][2] -= s * kx
	r[2][0] -= s * ky
	r[2][1] += s * kx
	// The picture's normal after the turn; the picture passes through (0, 0, dist).
	nx, ny, nz := r[0][2], r[1][2], r[2][2]
	b := img.Rect
	return WarpFunc(img, b.Dx(), b.Dy(), func(u, v float64) (float64, float64) {
		a, bb := (u-cx)/dist, (v-cy)/dist
		den := a*nx + bb*ny + nz
		if den <= 1e-9 {
			return -1, -1 // behind the camera: background
		}
		t := dist * nz / den
		px, py, pz := t*a, t*bb, t-dist
		// Back into the picture's own coordinates: R transposed.
		x := r[0][0]*px + r[1][0]*py + r[2][0]*pz
		y := r[0][1]*px + r[1][1]*py + r[2][1]*pz
		return cx + x, cy + y
	})
}
