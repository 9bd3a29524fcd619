package facematch

import (
	"image"
	"math"
	"testing"
)

func toPoints(lm []LandmarkPoint) []image.Point {
	out := make([]image.Point, len(lm))
	for i, p := range lm {
		out[i] = image.Pt(int(math.Round(p.X)), int(math.Round(p.Y)))
	}
	return out
}

// turnFrames renders a head turning: the nose slides by each of slides
// (pixels) across a textured face, landmarks included.
func turnFrames(d Descriptor, slides ...float64) []LivenessFrame {
	a := texture(640, 480, 11)
	la := faceLandmarks68()
	var out []LivenessFrame
	for i, s := range slides {
		g, lm := slideNose(a, la, s)
		out = append(out, LivenessFrame{Face: Face{Landmarks: toPoints(lm), Descriptor: near(d, 0.05, uint64(i))}, Image: g})
	}
	return out
}

// flatFrames renders a flat picture of the face tilted more and more, with
// the landmarks a predictor fooled by the squeeze would give: the nose
// slides as in a turn, the pixels do not.
func flatFrames(d Descriptor, slides ...float64) []LivenessFrame {
	a := texture(640, 480, 11)
	la := faceLandmarks68()
	var out []LivenessFrame
	for i, s := range slides {
		k := 1 - 0.08*float64(i) // squeezed about the vertical axis through x=320
		h := Homography{k, 0, 320 * (1 - k), 0, 1, 0, 0.0001 * float64(i), 0, 1 - 0.0001*float64(i)*320}
		b := warpGray(a, a.Rect, invertH(h))
		lm := mapAll(h, la)
		for j := lmNoseFirst; j <= lmNoseLast; j++ {
			lm[j].X += s
		}
		out = append(out, LivenessFrame{Face: Face{Landmarks: toPoints(lm), Descriptor: near(d, 0.05, uint64(i))}, Image: b})
	}
	return out
}

// invertH inverts a homography exactly (adjugate of the 3x3 matrix).
func invertH(h Homography) Homography {
	a, b, c, d, e, f, g, hh, i := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
	return Homography{e*i - f*hh, c*hh - b*i, b*f - c*e, f*g - d*i, a*i - c*g, c*d - a*f, d*hh - e*g, b*g - a*hh, a*e - b*d}
}

func TestPoseTurnIgnoresFlatTilts(t *testing.T) {
	la := faceLandmarks68()
	la[lmNoseTip].X += 10 // a slightly turned face
	want, err := PoseOf(la)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []Homography{
		{0.7, 0, 96, 0, 1, 0, 0, 0, 1},           // squeezed: turned about its vertical axis
		{1, 0, 0, 0, 0.6, 96, 0, 0, 1},           // turned about its horizontal axis
		{0.8, 0.3, 0, 0.1, 0.9, 0, 0, 0, 1},      // sheared: a diagonal axis
		{1.3, -0.2, -50, 0.2, 1.3, -90, 0, 0, 1}, // moved, scaled, rotated
	} {
		got, err := PoseOf(mapAll(h, la))
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got.Turn-want.Turn) > 1e-9 {
			t.Errorf("affine %v: turn %.4f, want %.4f", h, got.Turn, want.Turn)
		}
	}
	if _, err := PoseOf(la[:5]); err == nil {
		t.Fatal("5 landmarks gave a pose")
	}
}

func TestCheckLiveness(t *testing.T) {
	d := desc(1)
	tests := []struct {
		name   string
		frames []LivenessFrame
		live   bool
		reason string
	}{
		{"head turn", turnFrames(d, 0, 8, 16), true, "head turn"},
		{"head turn back and forth", turnFrames(d, -8, 0, 10, 2), true, "head turn"},
		{"still", turnFrames(d, 4, 4, 4), false, "no head turn"},
		{"small turn", turnFrames(d, 0, 2, 4), false, "no head turn"},
		{"tilted picture read as a turn", flatFrames(d, 0, 8, 16), false, "flat picture"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := CheckLiveness(tt.frames, DefaultLiveness, 0.6)
			if r.Live != tt.live || !contains(r.Reason, tt.reason) {
				t.Fatalf("live=%v (%s; turn %v, parallax %+v), want %v (%q)", r.Live, r.Reason, r.Turn, r.Parallax, tt.live, tt.reason)
			}
		})
	}
	t.Run("face swapped between frames", func(t *testing.T) {
		fs := turnFrames(d, 0, 8, 16)
		fs[2].Face.Descriptor = desc(2)
		if r, _ := CheckLiveness(fs, DefaultLiveness, 0.6); r.Live || !contains(r.Reason, "face changed") {
			t.Fatalf("live with another face in frame 3: %s", r.Reason)
		}
	})
	t.Run("one frame", func(t *testing.T) {
		if r, _ := CheckLiveness(turnFrames(d, 0), DefaultLiveness, 0.6); r.Live {
			t.Fatal("one frame is live")
		}
	})
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestLivenessService(t *testing.T) {
	svc, ex, _, st := newTestService(t, Config{})
	alice := desc(1)
	enroll(t, svc, "alice", "s1", ex.photo(1, face(alice)))
	jpegs := func(fs []LivenessFrame) [][]byte {
		var out [][]byte
		for _, f := range fs {
			out = append(out, ex.image(f.Image, f.Face))
		}
		return out
	}
	r, err := svc.Liveness(t.Context(), LivenessRequest{SiteID: "s1", KioskID: "k", Frames: jpegs(turnFrames(alice, 0, 8, 16))})
	if err != nil || r.Verdict != VerdictMatch || r.EmployeeID != "alice" {
		t.Fatalf("turning head: %+v %v", r, err)
	}
	r, err = svc.Liveness(t.Context(), LivenessRequest{SiteID: "s1", KioskID: "k", Frames: jpegs(flatFrames(alice, 0, 8, 16, 24))})
	if err != nil || r.Verdict != VerdictNotLive || r.EmployeeID != "" {
		t.Fatalf("tilted picture: %+v %v", r, err)
	}
	rec, err := st.Audit(t.Context(), r.VerdictID)
	if err != nil || rec.Kind != "liveness" || rec.Frames != 4 || !contains(rec.Reason, "flat picture") {
		t.Fatalf("audit of not_live: %+v %v", rec, err)
	}
}
