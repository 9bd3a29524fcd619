//go:build dlib

package dlib

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	face "github.com/Kagami/go-face"

	"punchclock/server/internal/facematch"
)

// ModelFiles are the files go-face loads from the models directory.
var ModelFiles = []string{
	"shape_predictor_5_face_landmarks.dat",
	"dlib_face_recognition_resnet_model_v1.dat",
	"mmod_human_face_detector.dat",
}

// Extractor wraps a go-face Recognizer. It is safe for concurrent use:
// go-face serialises the detector and the network with mutexes of its own.
type Extractor struct {
	rec *face.Recognizer
}

var _ facematch.Extractor = (*Extractor)(nil)

// New loads the models from dir (about 0.3 s).
func New(dir string) (*Extractor, error) {
	for _, f := range ModelFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return nil, fmt.Errorf("dlib: model %s missing (run make face-deps): %w", f, err)
		}
	}
	rec, err := face.NewRecognizer(dir)
	if err != nil {
		return nil, fmt.Errorf("dlib: load models from %s: %w", dir, err)
	}
	return &Extractor{rec: rec}, nil
}

// Extract detects every face with the HOG detector (the CNN detector is ten
// times slower on this CPU) and returns landmarks and descriptors, sorted
// left to right as dlib sorts the rectangles.
func (e *Extractor) Extract(ctx context.Context, jpeg []byte) ([]facematch.Face, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	faces, err := e.rec.Recognize(jpeg)
	if err != nil {
		return nil, fmt.Errorf("dlib: recognize: %w", err)
	}
	out := make([]facematch.Face, len(faces))
	for i, f := range faces {
		out[i] = facematch.Face{
			Rect:       f.Rectangle,
			Landmarks:  f.Shapes,
			Descriptor: facematch.Descriptor(f.Descriptor),
		}
	}
	return out, nil
}

// Close frees the models.
func (e *Extractor) Close() error {
	e.rec.Close()
	return nil
}
