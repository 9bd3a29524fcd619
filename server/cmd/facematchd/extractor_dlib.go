//go:build dlib

package main

import (
	"punchclock/server/internal/facematch"
	"punchclock/server/internal/facematch/dlib"
)

func newExtractor(models string) (facematch.Extractor, func() error, error) {
	ex, err := dlib.New(models)
	if err != nil {
		return nil, nil, err
	}
	return ex, ex.Close, nil
}
