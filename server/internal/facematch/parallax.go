package facematch

import (
	"cmp"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// The parallax check looks at the pixels, not at the landmarks. dlib's
// landmark predictor is trained on real faces, and shown a picture of a face
// squeezed or sheared by a tilt it answers with the landmarks of a turned
// head: from landmarks alone a tilted print can pass for a turn. The image
// itself cannot pretend: every point of a flat picture moves between two
// frames by one homography (the projective map of a plane), whatever the
// picture's tilt, distance or perspective, while on a head the nose, the
// cheeks and the brows stand at different depths and move apart as it turns.
// MeasureParallax tracks a grid of textured patches of the face from one
// frame to the other by normalised cross-correlation (insensitive to a
// change of exposure), fits the best homography to the tracks and measures
// how far the points stray from it.

// Homography maps (x, y) to ((h0·x+h1·y+h2)/w, (h3·x+h4·y+h5)/w) with
// w = h6·x+h7·y+h8.
type Homography [9]float64

// Apply maps a point.
func (h Homography) Apply(p LandmarkPoint) LandmarkPoint {
	w := h[6]*p.X + h[7]*p.Y + h[8]
	return LandmarkPoint{(h[0]*p.X + h[1]*p.Y + h[2]) / w, (h[3]*p.X + h[4]*p.Y + h[5]) / w}
}

// normaliser moves points to their centroid and scales them to a mean
// distance of √2 (Hartley), which keeps the least squares well conditioned.
func normaliser(ps []LandmarkPoint) (cx, cy, s float64) {
	for _, p := range ps {
		cx += p.X
		cy += p.Y
	}
	cx /= float64(len(ps))
	cy /= float64(len(ps))
	var d float64
	for _, p := range ps {
		d += math.Hypot(p.X-cx, p.Y-cy)
	}
	d /= float64(len(ps))
	if d == 0 {
		return cx, cy, 0
	}
	return cx, cy, math.Sqrt2 / d
}

var errHomography = errors.New("the points do not determine a homography")

// FitHomography fits the homography taking src to dst in the least squares
// sense (direct linear transform with h8 = 1, on normalised coordinates).
func FitHomography(src, dst []LandmarkPoint) (Homography, error) {
	n := len(src)
	if n < 4 || len(dst) != n {
		return Homography{}, errHomography
	}
	sx, sy, ss := normaliser(src)
	dx, dy, ds := normaliser(dst)
	if ss == 0 || ds == 0 {
		return Homography{}, errHomography
	}
	a := mat.NewDense(2*n, 8, nil)
	b := mat.NewVecDense(2*n, nil)
	for i := range n {
		x, y := (src[i].X-sx)*ss, (src[i].Y-sy)*ss
		u, v := (dst[i].X-dx)*ds, (dst[i].Y-dy)*ds
		a.SetRow(2*i, []float64{x, y, 1, 0, 0, 0, -u * x, -u * y})
		a.SetRow(2*i+1, []float64{0, 0, 0, x, y, 1, -v * x, -v * y})
		b.SetVec(2*i, u)
		b.SetVec(2*i+1, v)
	}
	var h mat.VecDense
	if err := h.SolveVec(a, b); err != nil {
		return Homography{}, fmt.Errorf("%w: %v", errHomography, err)
	}
	hn := mat.NewDense(3, 3, []float64{h.AtVec(0), h.AtVec(1), h.AtVec(2), h.AtVec(3), h.AtVec(4), h.AtVec(5), h.AtVec(6), h.AtVec(7), 1})
	// Undo the normalisations: H = Td⁻¹ · Hn · Ts.
	ts := mat.NewDense(3, 3, []float64{ss, 0, -ss * sx, 0, ss, -ss * sy, 0, 0, 1})
	tdInv := mat.NewDense(3, 3, []float64{1 / ds, 0, dx, 0, 1 / ds, dy, 0, 0, 1})
	var m mat.Dense
	m.Product(tdInv, hn, ts)
	var out Homography
	for i := range 9 {
		out[i] = m.At(i/3, i%3)
	}
	if out[8] == 0 || math.IsNaN(out[8]) {
		return Homography{}, errHomography
	}
	for i := range out {
		out[i] /= out[8]
	}
	return out, nil
}

// Parallax is what MeasureParallax found, as fractions of the distance
// between the eyes.
type Parallax struct {
	// Tracked is how many grid patches were found again in the second frame.
	Tracked int
	// Ring is the median distance of the tracks around the nose (brows,
	// eyes, cheeks, mouth) from the best homography through them: tracking
	// noise on a flat picture, the curvature of the face on a head.
	Ring float64
	// Nose is how far the nose region slid off that homography (the median
	// of its tracks' offsets): the parallax of the nose on a turning head.
	Nose float64
}

// Score is the larger of Ring and Nose.
func (p Parallax) Score() float64 { return math.Max(p.Ring, p.Nose) }

// GrayOf returns the luminance of an image; a JPEG's Y plane is used as is.
func GrayOf(img image.Image) *image.Gray {
	switch m := img.(type) {
	case *image.Gray:
		return m
	case *image.YCbCr:
		return &image.Gray{Pix: m.Y, Stride: m.YStride, Rect: m.Rect}
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Rect, img, img.Bounds().Min, draw.Src)
	return g
}

// Landmarks whose hull is the inner face (brows, nose, eyes, mouth): the
// grid stays off the contour, where a turning head hides and shows
// background.
const (
	lmInnerFirst = 17
	lmNoseFirst  = 27
	lmNoseLast   = 35
)

// passes: the first ones correct the landmarks' homography with the
// pixels, the last measures.
const passes = 3

// MeasureParallax tracks the inner face of frame a (landmarks la) into frame
// b (landmarks lb) and measures how far the motion is from a homography.
// Frame b is first resampled into frame a's geometry through the
// landmarks' homography, so that patches compare at one scale and angle
// however the face moved, grew or turned; the first passes then correct
// that homography with the tracks (the landmarks can be several pixels off,
// most of all on a squeezed picture) and the last pass measures.
func MeasureParallax(a, b *image.Gray, la, lb []LandmarkPoint) (Parallax, error) {
	if len(la) != LandmarksLen || len(lb) != LandmarksLen {
		return Parallax{}, fmt.Errorf("%d and %d landmarks, want %d", len(la), len(lb), LandmarksLen)
	}
	// The landmarks' homography predicts where each patch went; the
	// search then only has to absorb the landmarks' error and the parallax.
	h0, err := robustHomography(la[lmInnerFirst:], lb[lmInnerFirst:])
	if err != nil {
		return Parallax{}, err
	}
	l, r := eyeCentres(la)
	eye := math.Hypot(r.X-l.X, r.Y-l.Y)
	if eye < 20 {
		return Parallax{}, fmt.Errorf("the face is too small to track (eyes %.0f px apart)", eye)
	}
	minX, minY, maxX, maxY := bounds(la[lmInnerFirst:])
	step := eye / 8
	rad := max(5, int(eye/10))    // patch radius
	search := max(4, int(eye/12)) // search radius around the prediction
	pad := float64(rad + search + 2)
	box := image.Rect(int(minX-pad), int(minY-pad), int(maxX+pad)+1, int(maxY+pad)+1).Intersect(a.Rect)
	// The nose region: on a head it stands in front of everything around
	// it, so as the head turns it slides across the face.
	nMinX, nMinY, nMaxX, nMaxY := bounds(la[lmNoseFirst : lmNoseLast+1])
	inNose := func(p LandmarkPoint) bool {
		return p.X >= nMinX-step/2 && p.X <= nMaxX+step/2 && p.Y >= nMinY-step/2 && p.Y <= nMaxY+step/2
	}
	// Both frames are blurred a little: resampling leaves the warped frame
	// softer than the other, most where a tilt foreshortened it, and the
	// correlation of a sharp patch with a soft one peaks off centre.
	ab := blur(crop(a, box))
	hw := h0
	var out Parallax
	for pass := range passes {
		bw := blur(warpGray(b, box, hw))
		var src, dst, ringS, ringD, noseS, noseD []LandmarkPoint
		for y := minY; y <= maxY; y += step {
			for x := minX; x <= maxX; x += step {
				p := LandmarkPoint{x, y}
				q, ok := track(ab, bw, p, p, rad, search)
				if !ok {
					continue
				}
				// Forward-backward: the patch found must lead back to
				// where it came from, or the match was ambiguous.
				if back, ok := track(bw, ab, q, p, rad, 2); !ok || math.Hypot(back.X-p.X, back.Y-p.Y) > 1 {
					continue
				}
				src, dst = append(src, p), append(dst, q)
				if inNose(p) {
					noseS, noseD = append(noseS, p), append(noseD, q)
				} else {
					ringS, ringD = append(ringS, p), append(ringD, q)
				}
			}
		}
		out.Tracked = len(src)
		if len(ringS) < 16 || (pass == passes-1 && len(noseS) < 3) {
			return out, fmt.Errorf("only %d patches of the face (%d of the nose) could be followed between the frames (blur, glare or too little light)", len(src), len(noseS))
		}
		if pass < passes-1 {
			h, err := robustHomography(src, dst)
			if err != nil {
				return out, err
			}
			hw = hw.Then(h)
			continue
		}
		h, err := robustHomography(ringS, ringD)
		if err != nil {
			return out, err
		}
		res := residuals(h, ringS, ringD)
		slices.Sort(res)
		out.Ring = res[len(res)/2] / eye
		var dx, dy []float64
		for i := range noseS {
			q := h.Apply(noseS[i])
			dx, dy = append(dx, noseD[i].X-q.X), append(dy, noseD[i].Y-q.Y)
		}
		slices.Sort(dx)
		slices.Sort(dy)
		out.Nose = math.Hypot(dx[len(dx)/2], dy[len(dy)/2]) / eye
	}
	return out, nil
}

// bounds is the bounding box of ps.
func bounds(ps []LandmarkPoint) (minX, minY, maxX, maxY float64) {
	minX, minY, maxX, maxY = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range ps {
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	return minX, minY, maxX, maxY
}

// Then returns the map x → h(g(x)), the matrix product h·g.
func (h Homography) Then(g Homography) Homography {
	var out Homography
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				out[3*i+j] += h[3*i+k] * g[3*k+j]
			}
		}
	}
	if out[8] != 0 {
		for i := range out {
			out[i] /= out[8]
		}
	}
	return out
}

// robustHomography fits all the tracks, then refits on the better half: a
// few wrong tracks must not bend the fit, and a flat picture's better half
// fits it exactly.
func robustHomography(src, dst []LandmarkPoint) (Homography, error) {
	h, err := FitHomography(src, dst)
	if err != nil {
		return h, err
	}
	res := residuals(h, src, dst)
	order := make([]int, len(res))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return cmp.Compare(res[i], res[j]) })
	var hs, hd []LandmarkPoint
	for _, i := range order[:len(order)/2] {
		hs, hd = append(hs, src[i]), append(hd, dst[i])
	}
	if h2, err := FitHomography(hs, hd); err == nil {
		return h2, nil
	}
	return h, nil
}

// crop copies the part r of g.
func crop(g *image.Gray, r image.Rectangle) *image.Gray {
	out := image.NewGray(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		copy(out.Pix[(y-r.Min.Y)*out.Stride:], g.Pix[(y-g.Rect.Min.Y)*g.Stride+r.Min.X-g.Rect.Min.X:][:r.Dx()])
	}
	return out
}

// blur is a 3x3 binomial filter (edges kept as they are).
func blur(g *image.Gray) *image.Gray {
	out := image.NewGray(g.Rect)
	copy(out.Pix, g.Pix)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	at := func(x, y int) int { return int(g.Pix[y*g.Stride+x]) }
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			v := 4*at(x, y) + 2*(at(x-1, y)+at(x+1, y)+at(x, y-1)+at(x, y+1)) +
				at(x-1, y-1) + at(x+1, y-1) + at(x-1, y+1) + at(x+1, y+1)
			out.Pix[y*out.Stride+x] = uint8((v + 8) / 16)
		}
	}
	return out
}

// warpGray samples g through h at every pixel of box (bilinear); points
// that h sends outside g are left black, which no textured patch matches.
func warpGray(g *image.Gray, box image.Rectangle, h Homography) *image.Gray {
	out := image.NewGray(box)
	r := g.Rect
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			q := h.Apply(LandmarkPoint{float64(x), float64(y)})
			x0, y0 := int(math.Floor(q.X)), int(math.Floor(q.Y))
			if x0 < r.Min.X || y0 < r.Min.Y || x0+1 >= r.Max.X || y0+1 >= r.Max.Y {
				continue
			}
			fx, fy := q.X-float64(x0), q.Y-float64(y0)
			i := (y0-r.Min.Y)*g.Stride + x0 - r.Min.X
			v := (float64(g.Pix[i])*(1-fx)+float64(g.Pix[i+1])*fx)*(1-fy) +
				(float64(g.Pix[i+g.Stride])*(1-fx)+float64(g.Pix[i+g.Stride+1])*fx)*fy
			out.Pix[(y-box.Min.Y)*out.Stride+x-box.Min.X] = uint8(v + 0.5)
		}
	}
	return out
}

func residuals(h Homography, src, dst []LandmarkPoint) []float64 {
	out := make([]float64, len(src))
	for i := range src {
		q := h.Apply(src[i])
		out[i] = math.Hypot(q.X-dst[i].X, q.Y-dst[i].Y)
	}
	return out
}

// track finds the patch of a around p in b near the predicted point q:
// the best normalised cross-correlation over a square search, refined to
// a fraction of a pixel by a parabola. It gives up on flat patches (no
// texture to follow), on weak matches and on matches at the search's edge.
func track(a, b *image.Gray, p, q LandmarkPoint, rad, search int) (LandmarkPoint, bool) {
	px, py := int(math.Round(p.X)), int(math.Round(p.Y))
	qx, qy := int(math.Round(q.X)), int(math.Round(q.Y))
	if !inside(a, px, py, rad) || !inside(b, qx-search, qy-search, rad) || !inside(b, qx+search, qy+search, rad) {
		return LandmarkPoint{}, false
	}
	n := (2*rad + 1) * (2*rad + 1)
	tmpl := make([]float64, 0, n)
	var mean float64
	for y := py - rad; y <= py+rad; y++ {
		row := a.Pix[(y-a.Rect.Min.Y)*a.Stride+px-rad-a.Rect.Min.X:]
		for x := range 2*rad + 1 {
			v := float64(row[x])
			tmpl = append(tmpl, v)
			mean += v
		}
	}
	mean /= float64(n)
	var norm float64
	for i := range tmpl {
		tmpl[i] -= mean
		norm += tmpl[i] * tmpl[i]
	}
	if norm/float64(n) < 36 { // standard deviation under 6 grey levels
		return LandmarkPoint{}, false
	}
	w := 2*search + 1
	score := make([]float64, w*w)
	best, bi := math.Inf(-1), 0
	for dy := -search; dy <= search; dy++ {
		for dx := -search; dx <= search; dx++ {
			c := ncc(b, qx+dx, qy+dy, rad, tmpl, norm)
			k := (dy+search)*w + dx + search
			score[k] = c
			if c > best {
				best, bi = c, k
			}
		}
	}
	bx, by := bi%w, bi/w
	if best < 0.85 || bx == 0 || by == 0 || bx == w-1 || by == w-1 {
		return LandmarkPoint{}, false
	}
	sub := func(l, c, r float64) float64 {
		d := l - 2*c + r
		if d >= 0 {
			return 0
		}
		return (l - r) / (2 * d)
	}
	fx := sub(score[bi-1], best, score[bi+1])
	fy := sub(score[bi-w], best, score[bi+w])
	return LandmarkPoint{float64(qx+bx-search) + fx, float64(qy+by-search) + fy}, true
}

func inside(g *image.Gray, x, y, rad int) bool {
	r := g.Rect
	return x-rad >= r.Min.X && y-rad >= r.Min.Y && x+rad < r.Max.X && y+rad < r.Max.Y
}

// ncc is the normalised cross-correlation of the zero-mean template (its
// squared norm tn) with the patch of g centred on (cx, cy).
func ncc(g *image.Gray, cx, cy, rad int, tmpl []float64, tn float64) float64 {
	var sum, sumSq, cross float64
	i := 0
	for y := cy - rad; y <= cy+rad; y++ {
		row := g.Pix[(y-g.Rect.Min.Y)*g.Stride+cx-rad-g.Rect.Min.X:]
		for x := range 2*rad + 1 {
			v := float64(row[x])
			sum += v
			sumSq += v * v
			cross += v * tmpl[i]
			i++
		}
	}
	n := float64(len(tmpl))
	vn := sumSq - sum*sum/n
	if vn <= 0 {
		return -1
	}
	// Σ(v-mean_v)·t = Σ v·t because t has zero mean.
	return cross / math.Sqrt(vn*tn)
}
