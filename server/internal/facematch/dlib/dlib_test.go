//go:build dlib

package dlib

import (
	"context"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"punchclock/app/wire"
	"punchclock/server/internal/facematch"
	"punchclock/server/internal/facematch/variants"
)

// These tests run the real dlib models on the sample photos of the npm
// package @vladmandic/face-api (make face-deps fetches both). They never
// skip: without the models they fail and say how to get them.

var (
	setupOnce  sync.Once
	setupErr   error
	ex         *Extractor
	samples    []sample // every face of every sample photo, cropped alone
	photoFaces = map[int]int{}
	dropped    []string
)

// sample is one face cut out of a sample photo with a margin around it.
type sample struct {
	name  string // "3.1": photo 3, face 1 from the left
	photo *image.RGBA
	crop  *image.RGBA
	jpeg  []byte
	face  facematch.Face // in the crop
}

func setup(t testing.TB) {
	t.Helper()
	setupOnce.Do(func() { setupErr = load() })
	if setupErr != nil {
		t.Fatal(setupErr)
	}
}

func photosDir() string { return os.Getenv("PUNCHCLOCK_FACE_PHOTOS") }

func load() error {
	models := os.Getenv("PUNCHCLOCK_FACE_MODELS")
	if models == "" || photosDir() == "" {
		return fmt.Errorf("PUNCHCLOCK_FACE_MODELS and PUNCHCLOCK_FACE_PHOTOS are not set: run make face-deps (or make face-test), which fetches the dlib models and sample photos into .cache/face and exports both")
	}
	var err error
	if ex, err = New(models); err != nil {
		return err
	}
	ctx := context.Background()
	for i := 1; i <= 6; i++ {
		b, err := os.ReadFile(filepath.Join(photosDir(), fmt.Sprintf("sample%d.jpg", i)))
		if err != nil {
			return fmt.Errorf("%w (run make face-deps)", err)
		}
		img, err := variants.Decode(b)
		if err != nil {
			return err
		}
		faces, err := ex.Extract(ctx, b)
		if err != nil {
			return err
		}
		for j, f := range faces {
			// A margin of 60% of the face on each side: room for the
			// variants' rotations, and the detector wants some context.
			m := f.Rect.Dx() * 6 / 10
			crop := variants.Crop(img, f.Rect.Inset(-m))
			// Small faces (1.3 is 104 px) are brought to about 200 px:
			// dlib's HOG detector misses faces much under 80 px, and a
			// kiosk frame shows a face at about that size.
			if k := 200 / float64(f.Rect.Dx()); k > 1.2 {
				crop = variants.Scale(crop, int(float64(crop.Rect.Dx())*k), int(float64(crop.Rect.Dy())*k))
			}
			jb := variants.Encode(crop, 92)
			cf, err := ex.Extract(ctx, jb)
			if err != nil {
				return err
			}
			photoFaces[i]++
			if len(cf) != 1 {
				// 1.3, a small face at the edge of a group, is not found
				// again once cut out; it is left out of the probes.
				dropped = append(dropped, fmt.Sprintf("%d.%d (%d faces in the crop)", i, j, len(cf)))
				continue
			}
			samples = append(samples, sample{name: fmt.Sprintf("%d.%d", i, j), photo: img, crop: crop, jpeg: jb, face: cf[0]})
		}
	}
	return nil
}

func newService(t testing.TB, cfg facematch.Config) *facematch.Service {
	t.Helper()
	st, err := facematch.OpenStore(context.Background(), ":memory:", []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if cfg.KioskRate == 0 {
		cfg.KioskRate, cfg.KioskBurst, cfg.TotalRate, cfg.TotalBurst = 1e6, 1e6, 1e6, 1e6
	}
	svc, err := facematch.New(context.Background(), ex, st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func enroll(t testing.TB, svc *facematch.Service, emp, site string, photos ...[]byte) error {
	t.Helper()
	_, err := svc.Enroll(context.Background(), facematch.EnrollRequest{EmployeeID: emp, SiteID: site, Photos: photos,
		ConsentBy: emp, Purpose: "face punches at the entrance"})
	return err
}

func identify(t testing.TB, svc *facematch.Service, site string, jpeg []byte) facematch.Result {
	t.Helper()
	r, err := svc.Identify(context.Background(), facematch.IdentifyRequest{SiteID: site, KioskID: "k1", JPEG: jpeg})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// frame640 renders a 640x480 kiosk frame around a face of a sample photo:
// the face centred, its box about 200 px wide, then transformed.
func frame640(s sample, scale, deg, dx, dy, bright float64) []byte {
	r := s.face.Rect
	k := float64(r.Dx()) / 200 / scale // source pixels per output pixel
	cx, cy := float64(r.Min.X+r.Max.X)/2, float64(r.Min.Y+r.Max.Y)/2
	th := deg * math.Pi / 180
	m := variants.Affine{
		A: k * math.Cos(th), B: k * math.Sin(th), D: -k * math.Sin(th), E: k * math.Cos(th),
	}
	m.C = cx - m.A*(320+dx) - m.B*(240+dy)
	m.F = cy - m.D*(320+dx) - m.E*(240+dy)
	img := variants.Warp(s.crop, 640, 480, m)
	if bright != 1 {
		img = variants.Brightness(img, bright)
	}
	return variants.Encode(img, 85)
}

// variantsOf are the same-person probes: crop, scale, brightness, slight rotation.
var variantsOf = []struct {
	name                         string
	scale, deg, dx, dy, brightOf float64
}{
	{"frame", 1, 0, 0, 0, 1},
	{"off-centre crop", 1, 0, 140, 60, 1},
	{"small (scale 0.6)", 0.6, 0, 0, 0, 1},
	{"large (scale 1.4)", 1.4, 0, 0, 0, 1},
	{"dark (x0.55)", 1, 0, 0, 0, 0.55},
	{"bright (x1.4)", 1, 0, 0, 0, 1.4},
	{"rotated +8°", 1, 8, 0, 0, 1},
	{"rotated -8°", 1, -8, 0, 0, 1},
}

func byName(t testing.TB, name string) sample {
	for _, s := range samples {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no sample face %s", name)
	return sample{}
}

func TestSampleFaces(t *testing.T) {
	setup(t)
	// The package's photos as fetched: 20 faces in 6 photos; sample2 has one.
	want := map[int]int{1: 4, 2: 1, 3: 3, 4: 3, 5: 5, 6: 4}
	for k, v := range want {
		if photoFaces[k] != v {
			t.Errorf("sample%d.jpg: %d faces, want %d", k, photoFaces[k], v)
		}
	}
	t.Logf("%d faces usable alone; left out: %v", len(samples), dropped)
}

// TestEnrollOnePhotoIdentifyVariants enrolls sample2.jpg as it is (one face)
// and identifies variants of it, then every other face of the samples.
func TestEnrollOnePhotoIdentifyVariants(t *testing.T) {
	setup(t)
	svc := newService(t, facematch.Config{})
	whole, err := os.ReadFile(filepath.Join(photosDir(), "sample2.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := enroll(t, svc, "emp-2", "shop", whole); err != nil {
		t.Fatal(err)
	}
	subject := byName(t, "2.0")
	for _, v := range variantsOf {
		r := identify(t, svc, "shop", frame640(subject, v.scale, v.deg, v.dx, v.dy, v.brightOf))
		if r.Verdict != facematch.VerdictMatch || r.EmployeeID != "emp-2" {
			t.Errorf("variant %s: %+v, want match emp-2", v.name, r)
		}
	}
	unknown := 0
	for _, s := range samples {
		if s.name == "2.0" {
			continue
		}
		r := identify(t, svc, "shop", s.jpeg)
		if r.Verdict == facematch.VerdictMatch {
			t.Errorf("face %s (another person) accepted as %s", s.name, r.EmployeeID)
		}
		if r.Verdict == facematch.VerdictUnknown {
			unknown++
		}
	}
	t.Logf("other people: %d of %d unknown, none accepted", unknown, len(samples)-1)
}

func TestUnenrolledIsUnknown(t *testing.T) {
	setup(t)
	svc := newService(t, facematch.Config{})
	if err := enroll(t, svc, "emp-1.0", "shop", byName(t, "1.0").jpeg); err != nil {
		t.Fatal(err)
	}
	if r := identify(t, svc, "shop", frame640(byName(t, "4.2"), 1, 0, 0, 0, 1)); r.Verdict != facematch.VerdictUnknown {
		t.Fatalf("unenrolled face: %+v", r)
	}
	if r := identify(t, svc, "other-shop", frame640(byName(t, "1.0"), 1, 0, 0, 0, 1)); r.Verdict != facematch.VerdictUnknown {
		t.Fatalf("enrolled at another site: %+v", r)
	}
}

func TestTieIsNotSure(t *testing.T) {
	setup(t)
	svc := newService(t, facematch.Config{})
	s := byName(t, "4.1")
	// The same face enrolled under two employees (a mistake, or twins).
	for _, emp := range []string{"emp-a", "emp-b"} {
		if err := enroll(t, svc, emp, "shop", s.jpeg); err != nil {
			t.Fatal(err)
		}
	}
	if r := identify(t, svc, "shop", frame640(s, 0.9, 3, 0, 0, 1.1)); r.Verdict != facematch.VerdictNotSure || r.EmployeeID != "" {
		t.Fatalf("tie: %+v, want not_sure without a name", r)
	}
}

func TestEnrollRefusesNoFaceAndManyFaces(t *testing.T) {
	setup(t)
	svc := newService(t, facematch.Config{})
	many, err := os.ReadFile(filepath.Join(photosDir(), "sample5.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	err = enroll(t, svc, "e", "shop", many)
	if wire.CodeOf(err) != wire.CodeInvalid || wire.MessageOf(err) != "photo 1: 5 faces found; use a photo of the employee alone" {
		t.Fatalf("sample5.jpg: %v", err)
	}
	// A corner of a photo without anybody in it.
	s := byName(t, "2.0")
	empty := variants.Encode(variants.Crop(s.photo, image.Rect(0, 0, 600, 600)), 90)
	if faces, _ := ex.Extract(context.Background(), empty); len(faces) != 0 {
		t.Fatalf("the empty corner has %d faces", len(faces))
	}
	err = enroll(t, svc, "e", "shop", s.jpeg, empty)
	if wire.CodeOf(err) != wire.CodeInvalid || wire.MessageOf(err) != "photo 2: no face found; use a well-lit frontal photo" {
		t.Fatalf("no face: %v", err)
	}
	if r := identify(t, svc, "shop", empty); r.Verdict != facematch.VerdictNoFace {
		t.Fatalf("identify empty: %+v", r)
	}
	if r := identify(t, svc, "shop", many); r.Verdict != facematch.VerdictManyFaces {
		t.Fatalf("identify group: %+v", r)
	}
}

// TestGallery enrolls every sample face but 3.1 as its own employee (3.1 is
// 0.41 from 1.2 and looks like the same woman; it is kept as a second photo
// of her) and measures, at the default threshold and margin:
//   - genuine: variants of each enrolled face -> must be its own id or
//     not_sure, never somebody else;
//   - impostor, leave one out: each face against the gallery without it.
//
// It logs the counts; the impostor counts are what the threshold costs.
func TestGallery(t *testing.T) {
	setup(t)
	svc := newService(t, facematch.Config{})
	for _, s := range samples {
		if s.name == "3.1" {
			continue
		}
		if err := enroll(t, svc, "emp-"+s.name, "shop", s.jpeg); err != nil {
			t.Fatal(err)
		}
	}
	probes := []int{0, 2, 4, 6} // frame, small, dark, rotated
	counts := map[facematch.Verdict]int{}
	for _, s := range samples {
		if s.name == "3.1" {
			continue
		}
		for _, p := range probes {
			v := variantsOf[p]
			r := identify(t, svc, "shop", frame640(s, v.scale, v.deg, v.dx, v.dy, v.brightOf))
			counts[r.Verdict]++
			if r.Verdict == facematch.VerdictMatch && r.EmployeeID != "emp-"+s.name {
				t.Errorf("%s %s identified as %s", s.name, v.name, r.EmployeeID)
			}
		}
	}
	t.Logf("genuine probes (%d faces x %d variants): %v", len(samples)-1, len(probes), counts)
	r := identify(t, svc, "shop", byName(t, "3.1").jpeg)
	t.Logf("3.1 (another photo of 1.2): %s %s", r.Verdict, r.EmployeeID)

	// Leave one out on the descriptors, at several thresholds.
	for _, th := range []float64{0.6, 0.55, 0.5} {
		sc := facematch.SiteConfig{Threshold: th, Margin: facematch.DefaultMargin}
		out := map[facematch.Verdict]int{}
		for i, s := range samples {
			ids := []string{}
			descs := map[string][]facematch.Descriptor{}
			for j, o := range samples {
				if i == j || (s.name == "1.2" && o.name == "3.1") || (s.name == "3.1" && o.name == "1.2") {
					continue
				}
				ids = append(ids, o.name)
				descs[o.name] = []facematch.Descriptor{o.face.Descriptor}
			}
			d := s.face.Descriptor
			v := facematch.Decide(facematch.NewIndex(ids, descs).Search(&d, th+sc.Margin), sc)
			out[v]++
		}
		t.Logf("impostors, leave one out, threshold %.2f: %v (match = a false accept)", th, out)
	}
}

// TestLiveness measures the active check with the real landmark predictor
// on every sample face, 4 frames per sequence.
//
// False accepts: each face as a flat picture that stays still, moves,
// grows and rotates, or tilts up to 36° about its vertical, horizontal or
// a diagonal axis, far from the camera or close up (dist 300 is a picture
// whose face fills a third of the frame of a 93° lens).
//
// False rejects: there is no video of a real head turn here, so the proxy
// is variants.HeadTurn, a depth warp of the same photo turned by 0, 6, 12
// and 18°, either way. It shows the check answers to the geometry of a
// turn; it does not show that real people pass it, which the kiosk's
// field trial must measure (the audit trail keeps every not_live reason).
func TestLiveness(t *testing.T) {
	setup(t)
	ctx := context.Background()
	cfg := facematch.DefaultLiveness
	frame := func(i int, s sample) []byte { return frame640(s, 1, 0, 0, 0, 1) }
	seqs := []struct {
		name  string
		frame func(i int, s sample) []byte
		flat  bool
	}{
		{"still picture", frame, true},
		{"picture moved", func(i int, s sample) []byte { return frame640(s, 1, 0, float64(40*i), float64(-15*i), 1) }, true},
		{"picture scaled, rotated", func(i int, s sample) []byte { return frame640(s, 0.8+0.15*float64(i), float64(-6+4*i), 0, 0, 1) }, true},
		{"picture squeezed sideways", func(i int, s sample) []byte { return tilted(s, 1-0.1*float64(i), 1) }, true},
		{"picture squeezed down", func(i int, s sample) []byte { return tilted(s, 1, 1-0.1*float64(i)) }, true},
		{"picture turned, far", func(i int, s sample) []byte { return planar(s, float64(12*i), 90, 2000) }, true},
		{"picture turned, 600", func(i int, s sample) []byte { return planar(s, float64(12*i), 90, 600) }, true},
		{"picture turned, 400", func(i int, s sample) []byte { return planar(s, float64(12*i), 90, 400) }, true},
		{"picture turned, 300", func(i int, s sample) []byte { return planar(s, float64(12*i), 90, 300) }, true},
		{"picture tilted diagonally, 600", func(i int, s sample) []byte { return planar(s, float64(12*i), 45, 600) }, true},
		{"picture tilted diagonally, 400", func(i int, s sample) []byte { return planar(s, float64(12*i), 45, 400) }, true},
		{"picture pitched, 400", func(i int, s sample) []byte { return planar(s, float64(12*i), 0, 400) }, true},
		{"head turn proxy", func(i int, s sample) []byte { return turned(s, float64(6*i)) }, false},
		{"head turn proxy, other way", func(i int, s sample) []byte { return turned(s, -float64(6*i)) }, false},
	}
	flatLive, flatAll, proxyLive, proxyAll := 0, 0, 0, 0
	for _, sq := range seqs {
		live, notLive, unusable := 0, 0, 0
		var scores []float64
		reasons := map[string]int{}
		for _, s := range samples {
			var frames []facematch.LivenessFrame
			for i := range 4 {
				jb := sq.frame(i, s)
				fs, err := ex.Extract(ctx, jb)
				if err != nil {
					t.Fatal(err)
				}
				if len(fs) != 1 {
					break
				}
				img, err := variants.Decode(jb)
				if err != nil {
					t.Fatal(err)
				}
				frames = append(frames, facematch.LivenessFrame{Face: fs[0], Image: facematch.GrayOf(img)})
			}
			if len(frames) != 4 {
				unusable++ // the kiosk would get no_face and ask again
				continue
			}
			r, _ := facematch.CheckLiveness(frames, cfg, facematch.DefaultThreshold)
			if r.Parallax.Tracked > 0 {
				scores = append(scores, r.Parallax.Score())
			}
			if r.Live {
				live++
				if sq.flat {
					t.Logf("%s, face %s: a flat picture passed: %s", sq.name, s.name, r.Reason)
				}
			} else {
				notLive++
				reason, _, _ := strings.Cut(r.Reason, ":")
				reasons[reason]++
			}
		}
		sort.Float64s(scores)
		var spread string
		if len(scores) > 0 {
			spread = fmt.Sprintf("parallax min/median/max %.3f/%.3f/%.3f", scores[0], scores[len(scores)/2], scores[len(scores)-1])
		}
		t.Logf("%-32s live=%2d not_live=%2d no_face=%d  %s  %v", sq.name, live, notLive, unusable, spread, reasons)
		if sq.flat {
			flatLive, flatAll = flatLive+live, flatAll+live+notLive
		} else {
			proxyLive, proxyAll = proxyLive+live, proxyAll+live+notLive
		}
	}
	t.Logf("flat pictures accepted (false accepts): %d of %d; head-turn proxies refused (false rejects): %d of %d", flatLive, flatAll, proxyAll-proxyLive, proxyAll)
	// Measured on this machine: 0 of 212 flat pictures passed (the
	// highest scored 0.010, MinParallax is 0.014) and 4 of 35 proxies were
	// refused. dlib's arithmetic can differ a little between CPUs, so the
	// test allows one flat picture through and 20% of the proxies refused;
	// more than that is a regression.
	if flatLive > 1 {
		t.Errorf("%d of %d flat pictures passed as live heads", flatLive, flatAll)
	}
	if proxyLive*10 < proxyAll*8 {
		t.Errorf("only %d of %d head-turn proxies passed: the check refuses turns", proxyLive, proxyAll)
	}
}

// planar renders the face's frame as a flat picture turned by deg about an
// axis at axisDeg, seen from dist (variants.PlanarTilt).
func planar(s sample, deg, axisDeg, dist float64) []byte {
	img, _ := variants.Decode(frame640(s, 1, 0, 0, 0, 1))
	return variants.Encode(variants.PlanarTilt(img, 320, 240, deg, axisDeg, dist), 85)
}

// tilted renders the face's frame as a flat photo squeezed horizontally
// (turned about its vertical axis) or vertically.
func tilted(s sample, sx, sy float64) []byte {
	img, _ := variants.Decode(frame640(s, 1, 0, 0, 0, 1))
	return variants.Encode(variants.Warp(img, 640, 480, variants.Tilt(320, 240, sx, sy, 0, 0, 0)), 85)
}

// turned renders the face's frame with variants.HeadTurn by deg degrees.
func turned(s sample, deg float64) []byte {
	img, _ := variants.Decode(frame640(s, 1, 0, 0, 0, 1))
	// The head model is placed on the face's own landmarks, mapped into
	// the frame (frame640 centres the face box and makes it 200 px wide):
	// its axis midway between the contour's sides, its half-width a
	// little more than the contour's, the nose bump on the nose tip.
	r := s.face.Rect
	k := float64(r.Dx()) / 200
	fcx, fcy := float64(r.Min.X+r.Max.X)/2, float64(r.Min.Y+r.Max.Y)/2
	at := func(i int) (float64, float64) {
		p := s.face.Landmarks[i]
		return (float64(p.X)-fcx)/k + 320, (float64(p.Y)-fcy)/k + 240
	}
	lx, _ := at(1)
	rx, _ := at(15)
	nx, ny := at(30)
	_, ey := at(27)
	return variants.Encode(variants.HeadTurn(img, (lx+rx)/2, (ey+ny)/2, 0.55*(rx-lx), nx, ny, 0.35, deg), 85)
}
