package facematch

import (
	"fmt"
	"math"
)

// LivenessConfig tunes the active liveness check.
type LivenessConfig struct {
	MinFrames int // frames the kiosk must send (the brief: 3 to 8)
	MaxFrames int
	// MinYawChange is the change of the yaw ratio across the frames that
	// counts as a head turn. The yaw ratio is the nose's offset from the
	// midpoint of the eyes along the eye line, divided by the distance
	// between the eyes: about (nose depth / eye distance)·tan(yaw), 0 when
	// facing the camera and roughly ±0.05 per 10° of turn for a typical face.
	MinYawChange float64
	// MinNonRigid is the smallest residual, relative to the eye distance,
	// of the best similarity transform between the landmarks of two frames.
	// A photo moved, scaled or rotated in front of the camera has none.
	MinNonRigid float64
	// MaxAspectChange bounds how much the face's aspect (distance between
	// the eyes over the nose's height below the eye line) may change
	// across the frames, relative to its largest value. A real turn of 15
	// to 20 degrees narrows the eyes by cos(yaw), 3 to 6%, plus about 5% of
	// landmark noise; a flat photo tilted far enough for dlib's predictor
	// to read a turn into it is squeezed much more. On the sample faces
	// (make face-test, TestLiveness) 0.12 cut tilted-photo false accepts
	// from 4 of 8 to 2 of 8 (yawed) and from 1 of 6 to 0 (pitched), and kept
	// the head-turn proxy at 3 of 3.
	MaxAspectChange float64
}

// DefaultLiveness asks for a turn of roughly 15° or more.
var DefaultLiveness = LivenessConfig{MinFrames: 3, MaxFrames: 8, MinYawChange: 0.085, MinNonRigid: 0.02, MaxAspectChange: 0.12}

// LivenessResult explains a liveness decision; it goes to the audit reason.
type LivenessResult struct {
	Live       bool
	Reason     string
	Yaw        []float64 // per frame
	YawChange  float64   // max - min
	NonRigid   float64   // largest similarity residual / eye distance over frame pairs
	IdentityMx float64   // largest descriptor distance from the mean descriptor
	// AspectChange is the relative change of the face's aspect (see
	// LivenessConfig.MaxAspectChange).
	AspectChange float64
}

// Aspect is the distance between the eye centres over the nose point's
// distance from the line through them: it falls as a face turns (by about
// cos(yaw)) and falls fast as a flat picture of a face is squeezed.
func Aspect(lm []LandmarkPoint) float64 {
	if len(lm) < 5 {
		return math.NaN()
	}
	ax, ay := (lm[0].X+lm[1].X)/2, (lm[0].Y+lm[1].Y)/2
	bx, by := (lm[2].X+lm[3].X)/2, (lm[2].Y+lm[3].Y)/2
	eye := math.Hypot(ax-bx, ay-by)
	if eye == 0 {
		return math.NaN()
	}
	// The nose's distance from the eye line: |cross(b-a, n-a)| / |b-a|.
	height := math.Abs((bx-ax)*(lm[4].Y-ay)-(by-ay)*(lm[4].X-ax)) / eye
	if height == 0 {
		return math.NaN()
	}
	return eye / height
}

// YawRatio is the head-turn measure of a face's 5 landmarks. It is invariant
// under moving, scaling and rotating the image and under stretching it
// along or across the eye line, which is what tilting a flat photo about
// its vertical or horizontal axis does; a real turn moves the nose, which
// stands out of the face, relative to the eyes.
func YawRatio(lm []LandmarkPoint) float64 {
	if len(lm) < 5 {
		return math.NaN()
	}
	ax, ay := (lm[0].X+lm[1].X)/2, (lm[0].Y+lm[1].Y)/2 // eye on the image's right
	bx, by := (lm[2].X+lm[3].X)/2, (lm[2].Y+lm[3].Y)/2 // eye on the image's left
	ux, uy := ax-bx, ay-by
	mx, my := (ax+bx)/2, (ay+by)/2
	nx, ny := lm[4].X-mx, lm[4].Y-my
	uu := ux*ux + uy*uy
	if uu == 0 {
		return math.NaN()
	}
	return (nx*ux + ny*uy) / uu
}

// LandmarkPoint is a landmark in floating point.
type LandmarkPoint struct{ X, Y float64 }

func points(f Face) []LandmarkPoint {
	out := make([]LandmarkPoint, len(f.Landmarks))
	for i, p := range f.Landmarks {
		out[i] = LandmarkPoint{float64(p.X), float64(p.Y)}
	}
	return out
}

// similarityResidual fits q ≈ s·R·p + t (least squares, complex-number form)
// and returns the RMS residual divided by q's eye distance.
func similarityResidual(p, q []LandmarkPoint) float64 {
	n := float64(len(p))
	var pcx, pcy, qcx, qcy float64
	for i := range p {
		pcx += p[i].X / n
		pcy += p[i].Y / n
		qcx += q[i].X / n
		qcy += q[i].Y / n
	}
	// a = Σ conj(p')·q' / Σ|p'|², treating points as complex numbers.
	var re, im, pp float64
	for i := range p {
		px, py := p[i].X-pcx, p[i].Y-pcy
		qx, qy := q[i].X-qcx, q[i].Y-qcy
		re += px*qx + py*qy
		im += px*qy - py*qx
		pp += px*px + py*py
	}
	if pp == 0 {
		return math.Inf(1)
	}
	re, im = re/pp, im/pp
	var ss float64
	for i := range p {
		px, py := p[i].X-pcx, p[i].Y-pcy
		qx, qy := q[i].X-qcx, q[i].Y-qcy
		rx, ry := re*px-im*py-qx, im*px+re*py-qy
		ss += rx*rx + ry*ry
	}
	ex := (q[0].X+q[1].X)/2 - (q[2].X+q[3].X)/2
	ey := (q[0].Y+q[1].Y)/2 - (q[2].Y+q[3].Y)/2
	eye := math.Hypot(ex, ey)
	if eye == 0 {
		return math.Inf(1)
	}
	return math.Sqrt(ss/n) / eye
}

// CheckLiveness decides from one face per frame whether the frames show a
// live head turning, and returns the mean descriptor to identify with.
// samePerson is the largest distance of a frame's descriptor from the mean
// (the site's threshold): a swap of faces between frames is refused.
//
// What it can and cannot catch: a still photo, or a photo moved, scaled or
// rotated in the image plane, keeps the yaw ratio constant and fails; a
// photo tilted about a vertical or horizontal axis is squeezed, which the
// aspect bound catches unless the tilt is small (2 of 8 sample faces still
// passed when tilted about the vertical axis). A photo bent or tilted about a diagonal axis
// shears the landmarks and can imitate a small turn; a video of the person
// turning their head, replayed on a phone, passes, as it would any
// landmark-based active check. Those need a depth or texture (moiré,
// screen glare) check, which this service does not have.
func CheckLiveness(faces []Face, cfg LivenessConfig, samePerson float64) (LivenessResult, Descriptor) {
	var r LivenessResult
	var mean Descriptor
	if len(faces) == 0 {
		r.Reason = "no frames"
		return r, mean
	}
	pts := make([][]LandmarkPoint, len(faces))
	for i, f := range faces {
		if len(f.Landmarks) != 5 {
			r.Reason = fmt.Sprintf("frame %d: %d landmarks, want 5", i+1, len(f.Landmarks))
			return r, mean
		}
		pts[i] = points(f)
		for k, v := range f.Descriptor {
			mean[k] += v / float32(len(faces))
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	alo, ahi := math.Inf(1), math.Inf(-1)
	for i := range faces {
		a := Aspect(pts[i])
		alo, ahi = math.Min(alo, a), math.Max(ahi, a)
		y := YawRatio(pts[i])
		r.Yaw = append(r.Yaw, y)
		lo, hi = math.Min(lo, y), math.Max(hi, y)
		r.IdentityMx = math.Max(r.IdentityMx, Distance(faces[i].Descriptor, mean))
		for j := range i {
			r.NonRigid = math.Max(r.NonRigid, similarityResidual(pts[j], pts[i]))
		}
	}
	r.YawChange = hi - lo
	r.AspectChange = (ahi - alo) / ahi
	switch {
	case r.IdentityMx > samePerson:
		r.Reason = fmt.Sprintf("the face changed between frames (%.2f from the mean)", r.IdentityMx)
	case r.YawChange < cfg.MinYawChange || math.IsNaN(r.YawChange):
		r.Reason = fmt.Sprintf("no head turn: yaw ratio changed by %.3f, need %.3f", r.YawChange, cfg.MinYawChange)
	case cfg.MaxAspectChange > 0 && (r.AspectChange > cfg.MaxAspectChange || math.IsNaN(r.AspectChange)):
		r.Reason = fmt.Sprintf("the face was squeezed like a tilted picture (aspect changed by %.0f%%, at most %.0f%%)", 100*r.AspectChange, 100*cfg.MaxAspectChange)
	case r.NonRigid < cfg.MinNonRigid:
		r.Reason = fmt.Sprintf("landmarks move rigidly like a flat picture (residual %.3f, need %.3f)", r.NonRigid, cfg.MinNonRigid)
	default:
		r.Live = true
		r.Reason = fmt.Sprintf("head turn: yaw ratio changed by %.3f", r.YawChange)
	}
	return r, mean
}
