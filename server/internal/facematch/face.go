package facematch

import (
	"context"
	"image"
	"math"
)

// DescriptorLen is the length of a dlib face descriptor.
const DescriptorLen = 128

// Descriptor is dlib's 128-dimensional face descriptor. Two descriptors of
// the same person are usually closer than 0.6 in Euclidean distance.
type Descriptor [DescriptorLen]float32

// Distance is the Euclidean distance between two descriptors.
func Distance(a, b Descriptor) float64 {
	return math.Sqrt(float64(squaredDistance(a[:], b[:])))
}

func squaredDistance(a, b []float32) float32 {
	var s float32
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}

// Landmark indices of dlib's 5-point shape predictor
// (shape_predictor_5_face_landmarks.dat): two corners of each eye and the
// bottom of the nose. "Left" and "right" are as seen in the image.
const (
	LandmarkRightEyeOuter = 0 // image left side of the picture's right... see eyeCentres
	LandmarkRightEyeInner = 1
	LandmarkLeftEyeOuter  = 2
	LandmarkLeftEyeInner  = 3
	LandmarkNose          = 4
)

// Face is one face found in an image.
type Face struct {
	Rect       image.Rectangle
	Landmarks  []image.Point // 5 points in dlib's order, see the Landmark constants
	Descriptor Descriptor
}

// Extractor finds faces in a JPEG image and computes their landmarks and
// descriptors. The dlib package implements it with go-face; tests use fakes.
// Implementations must be safe for concurrent use.
type Extractor interface {
	Extract(ctx context.Context, jpeg []byte) ([]Face, error)
}
