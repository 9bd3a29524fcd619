package scantest

import (
	"image"
	"math"
	"math/rand/v2"
)

// Paper and ink levels of a printed badge under office light.
const (
	paper = 232.0
	ink   = 28.0
)

// focal is the lens's focal length in pixels for a 640-pixel-wide frame:
// a 60-degree horizontal field of view, a common tablet front camera.
const focal = 554.0

// rect is a filled rectangle of the background clutter.
type rect struct {
	x0, y0, x1, y1 float64
	v              float64
}

// patch is a textured rectangle of the background: vertical stripes of
// random widths, or a grid of random squares.
type patch struct {
	rect
	cell    float64 // side of a square; 0 for stripes
	stripes []float64
	bits    []bool
	cols    int
}

func (p *patch) at(fx, fy float64) float64 {
	if p.cell == 0 {
		// stripes[i] is the right edge of stripe i; even stripes are dark.
		x := fx - p.x0
		for i, e := range p.stripes {
			if x < e {
				if i%2 == 0 {
					return p.v
				}
				return p.v + 120
			}
		}
		return p.v + 120
	}
	c := int((fx - p.x0) / p.cell)
	r := int((fy - p.y0) / p.cell)
	if p.bits[(r*p.cols+c)%len(p.bits)] {
		return p.v
	}
	return p.v + 130
}

// geometry maps frame points to the badge's coordinates.
type geometry struct {
	cx, cy     float64 // code centre in the frame
	sin, cos   float64 // in-plane rotation, inverted
	tilted     bool
	e1, e2, n  [3]float64
	codeW      float64
	codeH      float64
	modW, modH float64
}

// badge returns the point of the badge plane (origin at the code's centre,
// before rotation) seen at frame point (fx, fy), and false when the line of
// sight misses the plane.
func (g *geometry) badge(fx, fy float64) (u, v float64, ok bool) {
	dx, dy := fx-g.cx, fy-g.cy
	if g.tilted {
		// Intersect the ray (dx, dy, focal) with the plane through
		// (0, 0, focal) of normal n, then express the point in (e1, e2).
		dn := dx*g.n[0] + dy*g.n[1] + focal*g.n[2]
		if dn <= 1e-9 {
			return 0, 0, false
		}
		t := focal * g.n[2] / dn
		px, py, pz := t*dx, t*dy, t*focal-focal
		dx = px*g.e1[0] + py*g.e1[1] + pz*g.e1[2]
		dy = px*g.e2[0] + py*g.e2[1] + pz*g.e2[2]
	}
	return dx*g.cos - dy*g.sin, dx*g.sin + dy*g.cos, true
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
	g := geometry{cx: s.X * float64(w), cy: s.Y * float64(h)}
	var cols, rows int
	hasCard := sym != nil || s.Card
	if sym != nil {
		rows, cols = len(sym.Dark), len(sym.Dark[0])
		g.codeW = s.Size
		g.modW = g.codeW / float64(cols)
		if rows == 1 {
			g.codeH = g.codeW * sym.BarHeight
			g.modH = g.codeH
		} else {
			g.modH = g.modW
			g.codeH = g.modH * float64(rows)
		}
	} else if s.Card {
		g.codeW, g.codeH = s.Size, s.Size
	}
	g.sin, g.cos = math.Sincos(-s.Angle * math.Pi / 180)
	if s.TiltX != 0 || s.TiltY != 0 {
		g.tilted = true
		sa, ca := math.Sincos(s.TiltX * math.Pi / 180)
		sb, cb := math.Sincos(s.TiltY * math.Pi / 180)
		g.e1 = [3]float64{ca, 0, -sa}
		g.e2 = [3]float64{sb * sa, cb, sb * ca}
		g.n = [3]float64{cb * sa, -sb, cb * ca}
	}
	// The card extends beyond the code: a header band above, printed name
	// lines below.
	cardL, cardR := -g.codeW*0.6, g.codeW*0.6
	cardT, cardB := -g.codeH/2-g.codeW*0.35, g.codeH/2+g.codeW*0.3

	// Textured clutter comes from its own stream so that scenes without it
	// render exactly as before it existed.
	patches := texture(s, g, cardL, cardR, cardT, cardB)

	dark, light := s.Ink, s.Paper
	if s.Invert {
		dark, light = light, dark
	}
	cover := s.Cover
	sample := func(fx, fy float64) float64 {
		if hasCard {
			if u, v, ok := g.badge(fx, fy); ok && u >= cardL && u < cardR && v >= cardT && v < cardB {
				inCode := u >= -g.codeW/2 && u < g.codeW/2 && v >= -g.codeH/2 && v < g.codeH/2
				if inCode && cover != (Box{}) {
					cu, cv := (u+g.codeW/2)/g.codeW, (v+g.codeH/2)/g.codeH
					if cu >= cover.X0 && cu < cover.X1 && cv >= cover.Y0 && cv < cover.Y1 {
						return cover.Level
					}
				}
				switch {
				case inCode && sym != nil:
					mx := int((u + g.codeW/2) / g.modW)
					my := int((v + g.codeH/2) / g.modH)
					if sym.Dark[min(my, rows-1)][min(mx, cols-1)] {
						return dark
					}
					return light
				case v < cardT+g.codeW*0.12:
					return 70 // coloured header band
				case v > g.codeH/2+g.codeW*0.1 && v < g.codeH/2+g.codeW*0.16 && u < g.codeW*0.3:
					return 110 // the printed name
				}
				return light
			}
		}
		val := 150 - 50*fy/float64(h)
		for _, r := range clutter {
			if fx >= r.x0 && fx < r.x1 && fy >= r.y0 && fy < r.y1 {
				val = r.v
			}
		}
		for i := range patches {
			p := &patches[i]
			if fx >= p.x0 && fx < p.x1 && fy >= p.y0 && fy < p.y1 {
				val = p.at(fx, fy)
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
	if s.Motion > 0 {
		gray = streak(gray, w, h, s.Motion, s.MotionAngle)
	}
	if s.Glare.Level > 0 {
		glare(gray, w, h, s.Glare)
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

// texture lays out the scene's striped and checked patches. The first two
// striped patches flank the card left and right at its height, where a
// 1D reader scanning the code's rows meets them.
func texture(s Scene, g geometry, cardL, cardR, cardT, cardB float64) []patch {
	if s.Stripes == 0 && s.Checks == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(s.Seed, 0x74657874))
	w, h := float64(s.Width), float64(s.Height)
	var out []patch
	for i := range s.Stripes {
		pw, ph := 60+rng.Float64()*120, 60+rng.Float64()*140
		var x0, y0 float64
		switch {
		case i == 0 && g.codeW > 0:
			x0, y0 = g.cx+cardL-pw-4-rng.Float64()*8, g.cy+cardT
			ph = cardB - cardT
		case i == 1 && g.codeW > 0:
			x0, y0 = g.cx+cardR+4+rng.Float64()*8, g.cy+cardT
			ph = cardB - cardT
		default:
			x0, y0 = rng.Float64()*(w-pw), rng.Float64()*(h-ph)
		}
		p := patch{rect: rect{x0, y0, x0 + pw, y0 + ph, 20 + rng.Float64()*60}}
		for e := 0.0; e < pw; {
			e += 1 + rng.Float64()*7
			p.stripes = append(p.stripes, e)
		}
		out = append(out, p)
	}
	for range s.Checks {
		pw, ph := 60+rng.Float64()*140, 50+rng.Float64()*120
		x0, y0 := rng.Float64()*(w-pw), rng.Float64()*(h-ph)
		p := patch{rect: rect{x0, y0, x0 + pw, y0 + ph, 20 + rng.Float64()*60}, cell: 3 + rng.Float64()*4}
		p.cols = int(pw/p.cell) + 1
		p.bits = make([]bool, p.cols*(int(ph/p.cell)+1))
		for i := range p.bits {
			p.bits[i] = rng.IntN(2) == 0
		}
		out = append(out, p)
	}
	return out
}

// streak averages each pixel with its neighbours along a line of length n
// pixels at angle deg: the smear of a badge moving while the shutter is
// open.
func streak(g []float64, w, h int, n, deg float64) []float64 {
	sin, cos := math.Sincos(deg * math.Pi / 180)
	taps := int(math.Ceil(n))
	out := make([]float64, len(g))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sum := 0.0
			for k := 0; k <= taps; k++ {
				t := float64(k)/float64(taps)*n - n/2
				xx := min(max(int(math.Round(float64(x)+t*cos)), 0), w-1)
				yy := min(max(int(math.Round(float64(y)+t*sin)), 0), h-1)
				sum += g[yy*w+xx]
			}
			out[y*w+x] = sum / float64(taps+1)
		}
	}
	return out
}

// glare adds a Gaussian highlight: light reflected by a glossy badge,
// washing out the code under it.
func glare(g []float64, w, h int, sp Spot) {
	cx, cy := sp.X*float64(w), sp.Y*float64(h)
	k := -1 / (2 * sp.R * sp.R)
	for y := 0; y < h; y++ {
		dy := float64(y) - cy
		for x := 0; x < w; x++ {
			dx := float64(x) - cx
			g[y*w+x] += sp.Level * math.Exp((dx*dx+dy*dy)*k)
		}
	}
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
