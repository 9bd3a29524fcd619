package facematch

import (
	"errors"
	"fmt"
	"image"
	"math"
)

// LivenessConfig tunes the active liveness check: the kiosk asks for a
// small head turn and sends a few frames. The landmarks must show the turn
// (the person followed the prompt) and the pixels must show depth: the
// motion of the face between the two most different frames must not be
// that of a flat picture (see MeasureParallax).
type LivenessConfig struct {
	MinFrames int // frames the kiosk must send
	MaxFrames int
	// MinTurnChange is the change of Pose.Turn across the frames that
	// counts as a head turn. Turn is where the nose tip sits between the
	// two sides of the face's contour at the nose's height, 0.5 facing
	// the camera; on the sample faces a turn of 18° moved it by 0.08 to
	// 0.30 (make face-test, TestLiveness).
	MinTurnChange float64
	// MinParallax is the smallest Parallax.Score, as a fraction of the
	// distance between the eyes, that counts as depth. On the sample faces
	// (TestLiveness) 212 flat pictures moved, scaled, tilted and seen in
	// perspective scored 0 to 0.010; of 35 head-turn proxies 31 passed
	// (scores up to 0.055), 2 scored under 0.014, 1 could not be tracked
	// and 1 showed too small a turn. Refusing a turn costs a retry;
	// passing a picture costs someone's pay.
	MinParallax float64
}

// DefaultLiveness is measured by TestLiveness in the dlib package.
var DefaultLiveness = LivenessConfig{MinFrames: 3, MaxFrames: 8, MinTurnChange: 0.06, MinParallax: 0.014}

// LivenessResult explains a liveness decision; it goes to the audit reason.
type LivenessResult struct {
	Live       bool
	Reason     string
	Turn       []float64 // Pose.Turn per frame
	TurnChange float64   // max - min
	// Parallax is measured between the frames of the smallest and the
	// largest Turn.
	Parallax   Parallax
	IdentityMx float64 // largest descriptor distance from the mean descriptor
}

// LivenessFrame is one frame of a head turn: the one face found in it and
// the frame's luminance.
type LivenessFrame struct {
	Face  Face
	Image *image.Gray
}

// Landmark indices of dlib's 68-point predictor (the iBUG 300-W scheme).
// "Left" and "right" are as seen in the image.
const (
	LandmarksLen    = 68
	lmContourFirst  = 0  // the contour runs from the left temple...
	lmChin          = 8  // ...over the chin...
	lmContourLast   = 16 // ...to the right temple
	lmNoseTip       = 30
	lmLeftEyeFirst  = 36 // six points around the eye on the image's left
	lmRightEyeFirst = 42
)

// LandmarkPoint is a landmark in floating point.
type LandmarkPoint struct{ X, Y float64 }

func points(f Face) []LandmarkPoint {
	out := make([]LandmarkPoint, len(f.Landmarks))
	for i, p := range f.Landmarks {
		out[i] = LandmarkPoint{float64(p.X), float64(p.Y)}
	}
	return out
}

// Pose is what the liveness check reads from one face's 68 landmarks, in a
// frame whose x axis is the line through the eye centres.
type Pose struct {
	// Turn is (nose tip - left contour) / (right contour - left contour),
	// the contour taken at the nose tip's height. A head turning moves it
	// (the nose stands in front of the head's axis, the contour is its
	// silhouette); any affine map of the image keeps it. The landmark
	// predictor, trained on real faces, also reads a turn into a squeezed
	// picture, which is why the check does not rely on it alone.
	Turn float64
}

var errPose = errors.New("the face's landmarks do not make a face")

// PoseOf computes the pose of 68 landmarks.
func PoseOf(lm []LandmarkPoint) (Pose, error) {
	if len(lm) != LandmarksLen {
		return Pose{}, fmt.Errorf("%d landmarks, want %d", len(lm), LandmarksLen)
	}
	a, b := eyeCentres(lm)
	eye := math.Hypot(b.X-a.X, b.Y-a.Y)
	if eye == 0 {
		return Pose{}, errPose
	}
	ux, uy := (b.X-a.X)/eye, (b.Y-a.Y)/eye
	mx, my := (a.X+b.X)/2, (a.Y+b.Y)/2
	// to maps a landmark into the eye frame: x along the eye line, y down.
	to := func(p LandmarkPoint) (float64, float64) {
		dx, dy := p.X-mx, p.Y-my
		return dx*ux + dy*uy, -dx*uy + dy*ux
	}
	nx, h := to(lm[lmNoseTip])
	if h <= 0 {
		return Pose{}, errPose
	}
	// cross finds where the contour from..to (one side, temple to chin)
	// passes the nose tip's height.
	cross := func(from, to_, step int) (float64, bool) {
		px, py := to(lm[from])
		for i := from + step; i != to_+step; i += step {
			qx, qy := to(lm[i])
			if (py-h)*(qy-h) <= 0 && py != qy {
				return px + (h-py)*(qx-px)/(qy-py), true
			}
			px, py = qx, qy
		}
		return 0, false
	}
	l, okL := cross(lmContourFirst, lmChin, 1)
	r, okR := cross(lmContourLast, lmChin, -1)
	if !okL || !okR || r-l <= 0 {
		return Pose{}, errPose
	}
	return Pose{Turn: (nx - l) / (r - l)}, nil
}

// eyeCentres are the centres of the six landmarks around each eye, the
// image's left eye first.
func eyeCentres(lm []LandmarkPoint) (left, right LandmarkPoint) {
	for i := range 6 {
		left.X += lm[lmLeftEyeFirst+i].X / 6
		left.Y += lm[lmLeftEyeFirst+i].Y / 6
		right.X += lm[lmRightEyeFirst+i].X / 6
		right.Y += lm[lmRightEyeFirst+i].Y / 6
	}
	return left, right
}

// CheckLiveness decides from one face per frame whether the frames show a
// live head turning, and returns the mean descriptor to identify with.
// samePerson is the largest distance of a frame's descriptor from the mean
// (the site's threshold): a swap of faces between frames is refused.
//
// What it catches: a still picture, and a flat picture (a print or a
// phone screen showing a photo) moved, scaled, rotated or tilted in front
// of the camera, close up or far: a plane's motion between two frames is a
// homography, which the parallax check sees through. What it cannot catch:
// a video of the person turning their head replayed on a screen, a print
// curved around a cylinder and turned (it has some of a head's depth), or
// a mask. Those need a texture (moiré, screen glare, paper) or a depth
// sensor check that this service does not have.
func CheckLiveness(frames []LivenessFrame, cfg LivenessConfig, samePerson float64) (LivenessResult, Descriptor) {
	var r LivenessResult
	var mean Descriptor
	if len(frames) < 2 {
		r.Reason = fmt.Sprintf("%d frames, need at least 2", len(frames))
		return r, mean
	}
	pts := make([][]LandmarkPoint, len(frames))
	lo, hi := 0, 0
	for i, f := range frames {
		pts[i] = points(f.Face)
		p, err := PoseOf(pts[i])
		if err != nil {
			r.Reason = fmt.Sprintf("frame %d: %v", i+1, err)
			return r, mean
		}
		r.Turn = append(r.Turn, p.Turn)
		if p.Turn < r.Turn[lo] {
			lo = i
		}
		if p.Turn > r.Turn[hi] {
			hi = i
		}
		for k, v := range f.Face.Descriptor {
			mean[k] += v / float32(len(frames))
		}
	}
	for _, f := range frames {
		r.IdentityMx = math.Max(r.IdentityMx, Distance(f.Face.Descriptor, mean))
	}
	r.TurnChange = r.Turn[hi] - r.Turn[lo]
	if r.IdentityMx > samePerson {
		r.Reason = fmt.Sprintf("the face changed between frames (%.2f from the mean)", r.IdentityMx)
		return r, mean
	}
	if r.TurnChange < cfg.MinTurnChange {
		r.Reason = fmt.Sprintf("no head turn: the nose moved %.3f of the face's width, need %.3f", r.TurnChange, cfg.MinTurnChange)
		return r, mean
	}
	if frames[lo].Image == nil || frames[hi].Image == nil {
		r.Reason = "no image to measure depth in"
		return r, mean
	}
	par, err := MeasureParallax(frames[lo].Image, frames[hi].Image, pts[lo], pts[hi])
	r.Parallax = par
	switch {
	case err != nil:
		r.Reason = fmt.Sprintf("frames %d and %d: %v", lo+1, hi+1, err)
	case par.Score() < cfg.MinParallax:
		r.Reason = fmt.Sprintf("the face moved like a flat picture (parallax %.3f, need %.3f)", par.Score(), cfg.MinParallax)
	default:
		r.Live = true
		r.Reason = fmt.Sprintf("head turn: the nose moved %.3f of the face's width, parallax %.3f", r.TurnChange, par.Score())
	}
	return r, mean
}
