// Package dlib implements facematch.Extractor with go-face (dlib's HOG face
// detector, 68-point shape predictor and ResNet descriptor model). It is the
// only package of punchclock that imports go-face, and it only builds with
// the dlib build tag because it needs cgo and Debian's libdlib-dev
// (see .ci/face.mk: make face-deps).
package dlib
