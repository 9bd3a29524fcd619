// Package rotate renders the kiosk's rotating QR code.
//
// The kiosk shows a QR that changes every Step (10 s). Its content comes
// from a function of time supplied by the caller (on the kiosk, a closure
// that builds the phone URL around an app/token token), so this package
// knows nothing about tokens or secrets, and time comes from the caller too,
// so tests need no clock. Rendering happens once per step: the kiosk screen
// may ask for the current image on every tick of its clock.
//
// The image is SVG: one rectangle a run of dark modules, so it is sharp
// at any scale on any screen, and drawing it needs no image encoder in the
// kiosk's download (a PNG encoder and its compressor cost some 30 KB of
// brotli in app.wasm). Raster turns it back into pixels for tests.
package rotate

import (
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/skip2/go-qrcode"
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
	svg, err := Encode(text, r.size)
	if err != nil {
		return Frame{}, err
	}
	r.cached = Frame{
		Text:    text,
		SVG:     svg,
		DataURL: DataURLPrefix + base64.StdEncoding.EncodeToString(svg),
		Start:   start,
	}
	r.valid = true
	f := r.cached
	f.Next = next
	return f, nil
}

// DataURLPrefix starts a Frame's DataURL.
const DataURLPrefix = "data:image/svg+xml;base64,"

// Encode renders text as an SVG QR code about size pixels wide, with
// medium error correction (15%: survives glare on the tablet's glass
// without making the code denser than a phone reads quickly) and a quiet
// zone. Its width and height give every module the same whole number of
// pixels, the largest not above size (or one pixel a module if size is
// too small); its viewBox counts modules, one unit each.
func Encode(text string, size int) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("rotate: encode qr: %w", err)
	}
	bm := q.Bitmap() // quiet zone included
	n := len(bm)
	px := strconv.Itoa(max(1, size/n) * n)
	ns := strconv.Itoa(n)
	b := make([]byte, 0, 4096)
	b = append(b, `<svg xmlns="http://www.w3.org/2000/svg" width="`+px+`" height="`+px+`" viewBox="0 0 `+ns+` `+ns+`" shape-rendering="crispEdges"><rect width="`+ns+`" height="`+ns+`" fill="#fff"/><path fill="#000" d="`...)
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			w := 1
			for x+w < len(row) && row[x+w] {
				w++
			}
			b = append(b, 'M')
			b = strconv.AppendInt(b, int64(x), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(y), 10)
			b = append(b, 'h')
			b = strconv.AppendInt(b, int64(w), 10)
			b = append(b, "v1h-"...)
			b = strconv.AppendInt(b, int64(w), 10)
			b = append(b, 'z')
			x += w
		}
	}
	b = append(b, `"/></svg>`...)
	return b, nil
}

// Raster draws an SVG that Encode made at scale pixels a module, for
// tests and tools that read the code back as a phone would.
func Raster(svg []byte, scale int) (*image.Gray, error) {
	s := string(svg)
	_, rest, ok := strings.Cut(s, `viewBox="0 0 `)
	if !ok {
		return nil, errors.New("rotate: not an SVG of Encode: no viewBox")
	}
	dim, _, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(dim)
	if err != nil || n <= 0 || n > 1000 || scale <= 0 {
		return nil, errors.New("rotate: not an SVG of Encode: bad viewBox")
	}
	_, d, ok := strings.Cut(s, ` d="`)
	if !ok {
		return nil, errors.New("rotate: not an SVG of Encode: no path")
	}
	d, _, _ = strings.Cut(d, `"`)
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for _, run := range strings.Split(d, "z") {
		if run == "" {
			continue
		}
		var x, y, w, w2 int
		if _, err := fmt.Sscanf(run, "M%d %dh%dv1h-%d", &x, &y, &w, &w2); err != nil || w != w2 || x < 0 || y < 0 || x+w > n || y >= n {
			return nil, fmt.Errorf("rotate: not an SVG of Encode: run %q", run)
		}
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+w)*scale; px++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	return img, nil
}
