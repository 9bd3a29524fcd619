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

// Face is one face found in an image.
type Face struct {
	Rect       image.Rectangle
	Landmarks  []image.Point // dlib's 68 points (iBUG 300-W order; see liveness.go)
	Descriptor Descriptor
}

// Extractor finds faces in a JPEG image and computes their landmarks and
// descriptors. The dlib package implements it with go-face; tests use fakes.
// Implementations must be safe for concurrent use.
type Extractor interface {
	Extract(ctx context.Context, jpeg []byte) ([]Face, error)
}
