package facematch

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

// texture is a smooth random pattern: every patch has something to follow.
func texture(w, h int, seed uint64) *image.Gray {
	rng := rand.New(rand.NewPCG(seed, 1))
	const cell = 6
	cw, ch := w/cell+2, h/cell+2
	grid := make([]float64, cw*ch)
	for i := range grid {
		grid[i] = rng.Float64() * 255
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/cell, float64(y)/cell
			x0, y0 := int(fx), int(fy)
			tx, ty := fx-float64(x0), fy-float64(y0)
			v := (grid[y0*cw+x0]*(1-tx)+grid[y0*cw+x0+1]*tx)*(1-ty) + (grid[(y0+1)*cw+x0]*(1-tx)+grid[(y0+1)*cw+x0+1]*tx)*ty
			g.Pix[y*g.Stride+x] = uint8(v)
		}
	}
	return g
}

// faceLandmarks68 is a frontal face's 68 landmarks laid out on a plane,
// eyes 80 px apart around (320, 240): only their layout matters here.
func faceLandmarks68() []LandmarkPoint {
	lm := make([]LandmarkPoint, LandmarksLen)
	for i := 0; i <= 16; i++ { // contour: a half ellipse from temple to temple
		a := math.Pi * float64(i) / 16
		lm[i] = LandmarkPoint{320 - 95*math.Cos(a), 230 + 110*math.Sin(a)}
	}
	for i := 17; i <= 26; i++ { // brows
		lm[i] = LandmarkPoint{250 + float64(i-17)*15.5, 200}
	}
	for i := 27; i <= 30; i++ { // nose bridge to tip
		lm[i] = LandmarkPoint{320, 230 + float64(i-27)*15}
	}
	for i := 31; i <= 35; i++ { // nostrils
		lm[i] = LandmarkPoint{300 + float64(i-31)*10, 282}
	}
	for k, cx := range []float64{280, 360} { // eyes
		for j := range 6 {
			a := 2 * math.Pi * float64(j) / 6
			lm[36+6*k+j] = LandmarkPoint{cx + 14*math.Cos(a), 230 + 5*math.Sin(a)}
		}
	}
	for i := 48; i <= 67; i++ { // mouth
		a := 2 * math.Pi * float64(i-48) / 20
		lm[i] = LandmarkPoint{320 + 30*math.Cos(a), 320 + 10*math.Sin(a)}
	}
	return lm
}

func mapAll(h Homography, ps []LandmarkPoint) []LandmarkPoint {
	out := make([]LandmarkPoint, len(ps))
	for i, p := range ps {
		out[i] = h.Apply(p)
	}
	return out
}

func invert(t *testing.T, h Homography) Homography {
	// Fit the inverse from a grid of mapped points.
	var src, dst []LandmarkPoint
	for y := 0.0; y <= 480; y += 60 {
		for x := 0.0; x <= 640; x += 80 {
			p := LandmarkPoint{x, y}
			src, dst = append(src, h.Apply(p)), append(dst, p)
		}
	}
	inv, err := FitHomography(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestFitHomography(t *testing.T) {
	h := Homography{1.1, 0.05, 12, -0.03, 0.95, -7, 0.0002, -0.0001, 1}
	src := faceLandmarks68()
	got, err := FitHomography(src, mapAll(h, src))
	if err != nil {
		t.Fatal(err)
	}
	for i := range h {
		if math.Abs(got[i]-h[i]) > 1e-6*math.Max(1, math.Abs(h[i])) {
			t.Fatalf("fit %v, want %v", got, h)
		}
	}
	if _, err := FitHomography(src[:3], src[:3]); err == nil {
		t.Fatal("3 points fitted a homography")
	}
	same := []LandmarkPoint{{1, 1}, {1, 1}, {1, 1}, {1, 1}}
	if _, err := FitHomography(same, same); err == nil {
		t.Fatal("coincident points fitted a homography")
	}
}

// TestParallaxOfAPlane: a textured plane seen through a homography (a
// picture moved, scaled, tilted with perspective) has no parallax, even
// when the landmarks are a few pixels off; the same picture with its middle
// pushed sideways (a nose moving across a face) has.
func TestParallaxOfAPlane(t *testing.T) {
	a := texture(640, 480, 7)
	la := faceLandmarks68()
	rng := rand.New(rand.NewPCG(3, 4))
	noisy := func(ps []LandmarkPoint) []LandmarkPoint {
		out := make([]LandmarkPoint, len(ps))
		for i, p := range ps {
			out[i] = LandmarkPoint{p.X + 3*(rng.Float64()-0.5), p.Y + 3*(rng.Float64()-0.5)}
		}
		return out
	}
	for _, h := range []Homography{
		{1, 0, 0, 0, 1, 0, 0, 0, 1},
		{0.8, 0.1, 40, -0.05, 0.85, 30, 0.0003, 0, 1},     // tilted about a vertical axis, close up
		{1.25, 0, -80, 0, 1.25, -60, 0, 0.0004, 1},        // nearer and pitched
		{0.7, 0.2, 60, 0.1, 0.95, -20, 0.0002, 0.0002, 1}, // diagonal
	} {
		inv := invert(t, h)
		// b(x) = a(inv(x)): a point p of a shows at h(p) in b.
		b := warpGray(a, a.Rect, inv)
		p, err := MeasureParallax(a, b, noisy(la), noisy(mapAll(h, la)))
		if err != nil {
			t.Fatalf("%v: %v", h, err)
		}
		if p.Score() > 0.01 || p.Tracked < 40 {
			t.Errorf("plane through %v: parallax %+v, want a score under 0.01 over 40 tracks or more", h, p)
		}
	}
	// Not a plane: the middle of the face slides 8 px sideways while the rest stays.
	b, lb := slideNose(a, la, 8)
	p, err := MeasureParallax(a, b, la, lb)
	if err != nil {
		t.Fatal(err)
	}
	if p.Nose < 0.05 || p.Score() < DefaultLiveness.MinParallax {
		t.Errorf("a face whose nose slid 8 px (0.1 of the eye distance): parallax %+v, want the nose's above 0.05", p)
	}
}

// slideNose imitates a head turning in front of a still camera: the middle
// of the face (the nose) slides by up to d pixels sideways, the rest stays.
// It returns the new frame and landmarks.
func slideNose(a *image.Gray, la []LandmarkPoint, d float64) (*image.Gray, []LandmarkPoint) {
	bump := func(x, y float64) float64 { return d * math.Exp(-((x-320)*(x-320)+(y-265)*(y-265))/(2*30*30)) }
	b := image.NewGray(a.Rect)
	for y := range a.Rect.Dy() {
		for x := range a.Rect.Dx() {
			sx := float64(x) - bump(float64(x), float64(y))
			b.Pix[y*b.Stride+x] = a.Pix[y*a.Stride+int(math.Round(math.Max(0, math.Min(float64(a.Rect.Dx()-1), sx))))]
		}
	}
	lb := make([]LandmarkPoint, len(la))
	for i, q := range la {
		lb[i] = LandmarkPoint{q.X + bump(q.X, q.Y), q.Y}
	}
	return b, lb
}

// BenchmarkMeasureParallax: the pixel work of one liveness check (two
// 640x480 frames, eyes 80 px apart), on top of the frames' extraction.
func BenchmarkMeasureParallax(b *testing.B) {
	a := texture(640, 480, 7)
	la := faceLandmarks68()
	g, lb := slideNose(a, la, 10)
	for b.Loop() {
		if _, err := MeasureParallax(a, g, la, lb); err != nil {
			b.Fatal(err)
		}
	}
}
