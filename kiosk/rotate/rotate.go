// Package rotate renders the kiosk's rotating QR code.
//
// The kiosk shows a QR that changes every Step (10 s). Its content comes
// from a function of time supplied by the caller (on the kiosk, a closure
// that builds the phone URL around an app/token token), so this package
// knows nothing about tokens or secrets, and time comes from the caller too,
// so tests need no clock. Rendering happens once per step: the kiosk screen
// may ask for the current image on every tick of its clock.
//
// The image is SVG (package qrsvg): sharp at any scale, and no image
// encoder in the kiosk's download.
package rotate

import (
	"encoding/base64"
	"sync"
	"time"

	"punchclock/app/qrsvg"
)

// Step is how often the code changes. It must match the token's time step
// (token.Step: 10 s, one step either way accepted by the server).
const Step = 10 * time.Second

// DefaultSize is the rendered image's width in pixels. A phone reads a
// code from about ten times its width away; on a 10-inch tablet (about
// 130 dpi CSS) the page shows it at roughly 20 cm, so 512 pixels of source
// keeps every module crisp when scaled up with image-rendering: pixelated.
const DefaultSize = 512

// Frame is the code for one step.
type Frame struct {
	// Text is what the code encodes.
	Text string
	// SVG is the image: black modules on white, with the standard
	// four-module quiet zone a phone camera needs to find the code on a
	// busy screen.
	SVG []byte
	// DataURL is SVG as a data:image/svg+xml;base64 URL, ready for an
	// <img> src.
	DataURL string
	// Start is the beginning of the step the code belongs to.
	Start time.Time
	// Next is how long from the requested instant until the code changes;
	// the kiosk schedules its next refresh with it.
	Next time.Duration
}

// Renderer renders and caches the current step's code. It is safe for
// concurrent use.
type Renderer struct {
	content func(now time.Time) string
	size    int

	mu     sync.Mutex
	cached Frame // Next is not meaningful in the cache
	valid  bool
}

// New returns a Renderer whose codes encode content(stepStart). The text
// is computed once per step, from the step's start time, so it does not
// depend on which instant within the step asked first. size is the image
// width in pixels; zero means DefaultSize.
func New(content func(now time.Time) string, size int) *Renderer {
	if size <= 0 {
		size = DefaultSize
	}
	return &Renderer{content: content, size: size}
}

// At returns the code to show at now and how long until it changes.
func (r *Renderer) At(now time.Time) (Frame, error) {
	// Truncate works on absolute time, so steps align with Unix time
	// multiples of 10 s, as the token's step counter does. It also drops
	// the monotonic reading, which keeps Start comparable with ==.
	start := now.Truncate(Step)
	next := start.Add(Step).Sub(now)

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.valid && r.cached.Start.Equal(start) {
		f := r.cached
		f.Next = next
		return f, nil
	}
	text := r.content(start)
	if r.valid && r.cached.Text == text {
		// Same content in a new step (a content func that does not vary):
		// keep the image, move the step.
		r.cached.Start = start
		f := r.cached
		f.Next = next
		return f, nil
	}
	svg, err := qrsvg.Encode(text, r.size)
	if err != nil {
		return Frame{}, err
	}
	r.cached = Frame{
		Text:    text,
		SVG:     svg,
		DataURL: qrsvg.DataURLPrefix + base64.StdEncoding.EncodeToString(svg),
		Start:   start,
	}
	r.valid = true
	f := r.cached
	f.Next = next
	return f, nil
}
