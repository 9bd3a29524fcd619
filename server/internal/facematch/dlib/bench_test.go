//go:build dlib

package dlib

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"punchclock/server/internal/facematch"
)

// BenchmarkIdentifyFrame is the latency of one kiosk frame (640x480 JPEG,
// one face) through the whole service: checks, Go decode, dlib detection,
// landmarks, descriptor, search in a 1,000-descriptor gallery, audit write.
// It times 30 runs per b.N and reports p50 and p95 (target p50 < 250 ms).
func BenchmarkIdentifyFrame(b *testing.B) {
	setup(b)
	svc := newService(b, facematch.Config{})
	if err := enroll(b, svc, "emp-2", "shop", byName(b, "2.0").jpeg); err != nil {
		b.Fatal(err)
	}
	frame := frame640(byName(b, "2.0"), 1, 0, 30, 0, 1)
	latencies(b, 30, func() (facematch.Result, error) {
		return svc.Identify(context.Background(), facematch.IdentifyRequest{SiteID: "shop", KioskID: "k", JPEG: frame})
	})
}

// latencies times n calls of f per b.N, each of which must be a match, and
// reports the p50 and p95.
func latencies(b *testing.B, n int, f func() (facematch.Result, error)) {
	var lat []time.Duration
	for b.Loop() {
		for range n {
			t0 := time.Now()
			r, err := f()
			lat = append(lat, time.Since(t0))
			if err != nil || r.Verdict != facematch.VerdictMatch {
				b.Fatalf("%+v %v", r, err)
			}
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkExtractPerFace is dlib's work per face: detection over the photo,
// landmarks and descriptor, on sample photos with 1 to 5 faces, divided by
// the number of faces.
func BenchmarkExtractPerFace(b *testing.B) {
	setup(b)
	for _, n := range []int{2, 5} {
		img, err := os.ReadFile(filepath.Join(photosDir(), fmt.Sprintf("sample%d.jpg", n)))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("sample%d", n), func(b *testing.B) {
			faces := 0
			var total time.Duration
			for b.Loop() {
				t0 := time.Now()
				fs, err := ex.Extract(context.Background(), img)
				total += time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				faces += len(fs)
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(faces), "ms/face")
		})
	}
	// A kiosk frame: one face in 640x480.
	frame := frame640(byName(b, "2.0"), 1, 0, 0, 0, 1)
	b.Run("frame640", func(b *testing.B) {
		for b.Loop() {
			if fs, err := ex.Extract(context.Background(), frame); err != nil || len(fs) != 1 {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLivenessAttempt is the latency of one head-turn attempt as a
// kiosk sends it: 5 frames (the head-turn proxy of face 2.0, 0 to 24°)
// through checks, decode, dlib on every frame, the parallax check and the
// search. It reports p50 and p95 over 10 attempts per b.N.
func BenchmarkLivenessAttempt(b *testing.B) {
	setup(b)
	svc := newService(b, facematch.Config{})
	s := byName(b, "2.0")
	if err := enroll(b, svc, "emp-2", "shop", s.jpeg); err != nil {
		b.Fatal(err)
	}
	var frames [][]byte
	for i := range 5 {
		frames = append(frames, turned(s, float64(4*i)))
	}
	latencies(b, 10, func() (facematch.Result, error) {
		return svc.Liveness(context.Background(), facematch.LivenessRequest{SiteID: "shop", KioskID: "k", Frames: frames})
	})
}
