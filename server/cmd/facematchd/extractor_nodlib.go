//go:build !dlib

package main

import (
	"errors"

	"punchclock/server/internal/facematch"
)

func newExtractor(string) (facematch.Extractor, func() error, error) {
	return nil, nil, errors.New("built without dlib: build with -tags dlib (make facematchd)")
}
