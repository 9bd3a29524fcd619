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

// ModelFiles are the files New needs in the models directory. The
// 68-landmark predictor replaces go-face's default 5-landmark one: the
// liveness check needs the face contour, the nose and the eyelids, which the
// 5 points (eye corners and nose base) do not give, and dlib aligns face
// chips from 68 landmarks as well as from 5 (face_recognition's "large" model).
var ModelFiles = []string{
	"shape_predictor_68_face_landmarks.dat",
	"dlib_face_recognition_resnet_model_v1.dat",
	"mmod_human_face_detector.dat",
}

// goFaceNames are the names go-face opens in the directory it is given.
var goFaceNames = map[string]string{
	"shape_predictor_68_face_landmarks.dat":     "shape_predictor_5_face_landmarks.dat",
	"dlib_face_recognition_resnet_model_v1.dat": "dlib_face_recognition_resnet_model_v1.dat",
	"mmod_human_face_detector.dat":              "mmod_human_face_detector.dat",
}

// Extractor wraps a go-face Recognizer. It is safe for concurrent use:
// go-face serialises the detector and the network with mutexes of its own.
type Extractor struct {
	rec *face.Recognizer
}

var _ facematch.Extractor = (*Extractor)(nil)

// New loads the models from dir (about 1 s, most of it the 100 MB landmark
// model). go-face always opens shape_predictor_5_face_landmarks.dat, so New
// shows it the 68-landmark model under that name through symbolic links in
// a temporary directory, removed once the models are loaded.
func New(dir string) (*Extractor, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("dlib: models directory %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp("", "facematch-models-")
	if err != nil {
		return nil, fmt.Errorf("dlib: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, f := range ModelFiles {
		src := filepath.Join(abs, f)
		if _, err := os.Stat(src); err != nil {
			return nil, fmt.Errorf("dlib: model %s missing (run make face-deps): %w", f, err)
		}
		if err := os.Symlink(src, filepath.Join(tmp, goFaceNames[f])); err != nil {
			return nil, fmt.Errorf("dlib: %w", err)
		}
	}
	rec, err := face.NewRecognizer(tmp)
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
