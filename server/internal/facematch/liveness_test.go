package facematch

import (
	"image"
	"math"
	"testing"
)

// headLandmarks projects a simple 3-D face (eye corners on a plane, the
// nose 0.35 eye-distances in front of it) turned by yaw degrees, then maps
// it through a 2-D similarity (scale, rotation, shift), like a camera.
func headLandmarks(yaw, scale, rot, dx, dy float64) []image.Point {
	pts3 := [][3]float64{{0.75, 0, -0.1}, {0.25, 0, 0}, {-0.75, 0, -0.1}, {-0.25, 0, 0}, {0, 0.6, 0.35}}
	th, r := yaw*math.Pi/180, rot*math.Pi/180
	out := make([]image.Point, len(pts3))
	for i, p := range pts3 {
		x := p[0]*math.Cos(th) + p[2]*math.Sin(th)
		y := p[1]
		x, y = x*math.Cos(r)-y*math.Sin(r), x*math.Sin(r)+y*math.Cos(r)
		out[i] = image.Pt(int(math.Round(x*scale+dx)), int(math.Round(y*scale+dy)))
	}
	return out
}

func TestCheckLiveness(t *testing.T) {
	d := desc(1)
	frames := func(lms ...[]image.Point) []Face {
		var fs []Face
		for i, l := range lms {
			fs = append(fs, Face{Landmarks: l, Descriptor: near(d, 0.05, uint64(i))})
		}
		return fs
	}
	tests := []struct {
		name  string
		faces []Face
		live  bool
	}{
		{"head turn 0-20°", frames(headLandmarks(0, 80, 0, 300, 200), headLandmarks(10, 80, 0, 302, 200), headLandmarks(20, 80, 0, 305, 201)), true},
		{"head turn -15..15° while moving", frames(headLandmarks(-15, 90, 3, 300, 200), headLandmarks(0, 85, 0, 320, 210), headLandmarks(15, 80, -2, 340, 220)), true},
		{"identical frames", frames(headLandmarks(5, 80, 0, 300, 200), headLandmarks(5, 80, 0, 300, 200), headLandmarks(5, 80, 0, 300, 200)), false},
		{"photo moved, scaled, rotated", frames(headLandmarks(5, 80, 0, 300, 200), headLandmarks(5, 100, 10, 340, 180), headLandmarks(5, 60, -12, 250, 230)), false},
		{"small turn 0-5°", frames(headLandmarks(0, 80, 0, 300, 200), headLandmarks(3, 80, 0, 300, 200), headLandmarks(5, 80, 0, 300, 200)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := CheckLiveness(tt.faces, DefaultLiveness, 0.6)
			if r.Live != tt.live {
				t.Fatalf("live=%v (%s, yaw %v), want %v", r.Live, r.Reason, r.Yaw, tt.live)
			}
		})
	}
	t.Run("squeezed picture read as a turn", func(t *testing.T) {
		// A flat photo tilted about its vertical axis: the face narrows by
		// 30% while the landmark predictor moves the nose as if it turned.
		var fs []Face
		for i := range 4 {
			lm := headLandmarks(0, 80, 0, 300, 200)
			sx := 1 - 0.1*float64(i)
			for k := range lm {
				lm[k].X = 300 + int(math.Round(float64(lm[k].X-300)*sx))
			}
			lm[4].X += 4 * i // the predictor's bias toward a turn
			fs = append(fs, Face{Landmarks: lm, Descriptor: near(d, 0.05, uint64(i))})
		}
		r, _ := CheckLiveness(fs, DefaultLiveness, 0.6)
		if r.Live || r.AspectChange < 0.2 {
			t.Fatalf("live=%v (%s), aspect change %.3f", r.Live, r.Reason, r.AspectChange)
		}
	})
	t.Run("face swapped between frames", func(t *testing.T) {
		fs := frames(headLandmarks(0, 80, 0, 300, 200), headLandmarks(10, 80, 0, 300, 200), headLandmarks(20, 80, 0, 300, 200))
		fs[2].Descriptor = desc(2)
		if r, _ := CheckLiveness(fs, DefaultLiveness, 0.6); r.Live {
			t.Fatalf("live with another face in frame 3: %s", r.Reason)
		}
	})
}

func TestYawRatioInvariantToPhotoTilt(t *testing.T) {
	lm := headLandmarks(12, 100, 0, 0, 0)
	want := YawRatio(points(Face{Landmarks: lm}))
	// A photo turned about its vertical axis (x squeezed) or its
	// horizontal axis (y squeezed) keeps the ratio.
	for _, s := range [][2]float64{{0.7, 1}, {1, 0.6}, {0.8, 0.9}} {
		var p []LandmarkPoint
		for _, q := range lm {
			p = append(p, LandmarkPoint{float64(q.X) * s[0], float64(q.Y) * s[1]})
		}
		if got := YawRatio(p); math.Abs(got-want) > 1e-9 {
			t.Fatalf("squeeze %v: yaw ratio %v, want %v", s, got, want)
		}
	}
}

func TestLivenessService(t *testing.T) {
	svc, ex, _, st := newTestService(t, Config{})
	alice := desc(1)
	enroll(t, svc, "alice", "s1", ex.photo(1, face(alice)))
	mk := func(seed int, yaws ...float64) [][]byte {
		var out [][]byte
		for i, y := range yaws {
			out = append(out, ex.photo(seed+i, Face{Landmarks: headLandmarks(y, 80, 0, 300, 200), Descriptor: near(alice, 0.2, uint64(i))}))
		}
		return out
	}
	r, err := svc.Liveness(t.Context(), LivenessRequest{SiteID: "s1", KioskID: "k", Frames: mk(10, 0, 10, 20)})
	if err != nil || r.Verdict != VerdictMatch || r.EmployeeID != "alice" {
		t.Fatalf("turning head: %+v %v", r, err)
	}
	r, err = svc.Liveness(t.Context(), LivenessRequest{SiteID: "s1", KioskID: "k", Frames: mk(20, 5, 5, 5, 5)})
	if err != nil || r.Verdict != VerdictNotLive || r.EmployeeID != "" {
		t.Fatalf("still picture: %+v %v", r, err)
	}
	rec, err := st.Audit(t.Context(), r.VerdictID)
	if err != nil || rec.Kind != "liveness" || rec.Frames != 4 || rec.Reason == "" {
		t.Fatalf("audit of not_live: %+v %v", rec, err)
	}
}
