package scan

import (
	"math"

	"github.com/makiuchi-d/gozxing"
)

// The 1D passes read scan lines: rows and columns of a thresholded matrix,
// and lines sampled from the gray frame at other angles. A line is tried
// with the pass's 1D readers, forwards and backwards (an upside-down
// badge); light bars on a dark badge are read from the flipped matrix.

// lineDecoder holds the buffers of the 1D passes, reused between frames.
type lineDecoder struct {
	readers []rowReader
	checked []bool            // readers[i] verifies a check character
	use     readerSet         // which readers the current pass runs
	budget  int               // gray lines the readers may still see this frame
	row     *gozxing.BitArray // for rows and columns of a matrix
	lum     []byte            // a gray line
	line    *gozxing.BitArray // lum thresholded
	sum, sq []int64           // prefix sums of lum and its squares
	lastErr error             // the most telling miss: unreadable over not found
	t0      float64           // where along its line the last sampled line starts
	orig    []byte            // a read line, kept while its parallels are sampled
	// reversed says the last read was of a line reversed: its points
	// count from the line's end.
	reversed bool
}

// readerSet picks the 1D readers a pass runs: all, or only those whose
// symbology carries a check character (Code 128, EAN/UPC; not Code 39).
type readerSet int

const (
	allReaders readerSet = iota
	checkedReaders
)

// has reports whether the set includes a reader that checks or not.
func (s readerSet) has(checked bool) bool {
	return s == allReaders || checked
}

// rowReader is what gozxing's 1D readers offer besides Reader.
type rowReader interface {
	DecodeRow(rowNumber int, row *gozxing.BitArray, hints map[gozxing.DecodeHintType]interface{}) (*gozxing.Result, error)
}

// tryRow decodes row with the pass's readers, forwards and backwards. row
// is left reversed; callers fetch a fresh one per line.
func (l *lineDecoder) tryRow(y int, row *gozxing.BitArray) (*gozxing.Result, error) {
	if edges(row) < minEdges1D {
		return nil, nil
	}
	for pass := 0; pass < 2; pass++ {
		if pass == 1 {
			row.Reverse()
		}
		for i, rd := range l.readers {
			if !l.use.has(l.checked[i]) {
				continue
			}
			r, err := rd.DecodeRow(y, row, nil)
			if err == nil {
				l.reversed = pass == 1
				return r, nil
			}
			if !isReaderException(err) {
				return nil, err
			}
			if isUnreadable(err) {
				l.lastErr = err
			}
		}
	}
	return nil, nil
}

// rowsOf tries n rows of m spread over its height from the middle outwards
// (a badge is most often held near the middle).
func (l *lineDecoder) rowsOf(m *gozxing.BitMatrix, gray []byte, n int) (*gozxing.Result, error) {
	width, height := m.GetWidth(), m.GetHeight()
	if l.row == nil || l.row.GetSize() != width {
		l.row = gozxing.NewBitArray(width)
	}
	step := max(1, height/(n+1))
	middle := height / 2
	for i := 0; i <= n; i++ {
		// middle, middle-step, middle+step, middle-2*step, ...
		off := (i + 1) / 2 * step
		if i%2 == 1 {
			off = -off
		}
		y := middle + off
		if y < 0 || y >= height {
			continue
		}
		r, err := l.tryRow(y, m.GetRow(y, l.row))
		if err != nil {
			return nil, err
		}
		if r != nil && l.barsContinue(r, 1, gray[y*width:(y+1)*width], 0, func(off float64) ([]byte, float64) {
			if y2 := y + int(math.Round(off)); y2 >= 0 && y2 < height {
				return gray[y2*width : (y2+1)*width], 0
			}
			return nil, 0
		}) {
			return r, nil
		}
	}
	return nil, nil
}

// grayLines samples lines of the gray frame at the given angles (degrees;
// 0 is a row, 90 a column), spaced step pixels apart from the middle of
// the frame outwards and sampled every stride pixels along, thresholds each
// against its local mean (see tryGrayLine) and reads it dark on light.
func (l *lineDecoder) grayLines(gray []byte, width, height int, angles []float64, step int, stride float64) (*gozxing.Result, error) {
	cx, cy := float64(width)/2, float64(height)/2
	half := math.Hypot(cx, cy)
	for _, a := range angles {
		sin, cos := math.Sincos(a * math.Pi / 180)
		// Lines run along (cos, sin); their offsets along the normal
		// (-sin, cos) cover the frame from the middle outwards.
		n := int(half) / step
		for i := 0; i <= 2*n; i++ {
			off := float64((i+1)/2*step) * float64(1-2*(i%2))
			ox, oy := cx-off*sin, cy+off*cos
			lum := l.sample(gray, width, height, ox, oy, cos, sin, half, stride)
			if len(lum) < 64 {
				continue
			}
			r, err := l.tryGrayLine(lum, stride)
			if err != nil {
				return nil, err
			}
			if r == nil {
				continue
			}
			// lum is sampled over again for the parallels: keep a copy.
			l.orig = append(l.orig[:0], lum...)
			if l.barsContinue(r, stride, l.orig, l.t0/stride, func(o float64) ([]byte, float64) {
				par := l.sample(gray, width, height, ox-o*sin, oy+o*cos, cos, sin, half, stride)
				return par, l.t0 / stride
			}) {
				return r, nil
			}
		}
	}
	return nil, nil
}

// sample returns the line through (ox, oy) along (dx, dy) inside the
// frame, every stride pixels, interpolated bilinearly.
func (l *lineDecoder) sample(gray []byte, width, height int, ox, oy, dx, dy, half, stride float64) []byte {
	l.lum = l.lum[:0]
	if dx == 1 && dy == 0 && stride == 1 && oy == math.Trunc(oy) {
		// A whole row: its pixels as they are.
		if y := int(oy); y >= 0 && y < height {
			l.lum = append(l.lum, gray[y*width:(y+1)*width]...)
		}
		l.t0 = -ox
		return l.lum
	}
	// Clip the parameter range to the frame (less a pixel, for the
	// interpolation's right and lower neighbours).
	tmin, tmax := -half, half
	clip := func(o, d, hi float64) {
		if math.Abs(d) < 1e-9 {
			if o < 0 || o >= hi {
				tmin, tmax = 1, 0
			}
			return
		}
		t0, t1 := (0-o)/d, (hi-o)/d
		if t0 > t1 {
			t0, t1 = t1, t0
		}
		tmin, tmax = max(tmin, t0), min(tmax, t1)
	}
	clip(ox, dx, float64(width)-1.001)
	clip(oy, dy, float64(height)-1.001)
	l.t0 = math.Ceil(tmin/stride) * stride
	for t := l.t0; t <= tmax; t += stride {
		x, y := ox+t*dx, oy+t*dy
		if x < 0 || y < 0 {
			continue
		}
		x0, y0 := int(x), int(y)
		if x0+1 >= width || y0+1 >= height {
			continue
		}
		fx, fy := x-float64(x0), y-float64(y0)
		p := gray[y0*width+x0:]
		q := gray[(y0+1)*width+x0:]
		top := float64(p[0]) + fx*(float64(p[1])-float64(p[0]))
		bot := float64(q[0]) + fx*(float64(q[1])-float64(q[0]))
		l.lum = append(l.lum, byte(top+fy*(bot-top)+0.5))
	}
	return l.lum
}

// lineWindow is the half width in pixels of the window a gray line is
// thresholded against: several modules of a small badge barcode. lineMinSpread is the
// standard deviation below which a window counts as flat (white): sensor
// noise on a wall must not turn into bars.
const (
	lineWindow    = 18
	lineMinSpread = 6
)

// tryGrayLine thresholds a gray line against its local mean and decodes
// it. A local mean follows glare and shade along the line; sampled at half
// a pixel with interpolation (see sample), its crossings place the edges of
// bars under two pixels wide closer than whole pixels would.
func (l *lineDecoder) tryGrayLine(lum []byte, stride float64) (*gozxing.Result, error) {
	win := int(lineWindow/stride + 0.5)
	n := len(lum)
	if n < minEdges1D {
		return nil, nil
	}
	if cap(l.sum) < n+1 {
		l.sum = make([]int64, n+1)
		l.sq = make([]int64, n+1)
	}
	sum, sq := l.sum[:n+1], l.sq[:n+1]
	for i, v := range lum {
		sum[i+1] = sum[i] + int64(v)
		sq[i+1] = sq[i] + int64(v)*int64(v)
	}
	if l.line == nil || l.line.GetSize() != n {
		l.line = gozxing.NewBitArray(n)
	} else {
		l.line.Clear()
	}
	for i := range n {
		a, b := max(i-win, 0), min(i+win+1, n)
		k := int64(b - a)
		s := sum[b] - sum[a]
		// variance * k^2 = k*sum(v^2) - sum(v)^2
		if k*(sq[b]-sq[a])-s*s < lineMinSpread*lineMinSpread*k*k {
			continue
		}
		if int64(lum[i])*k < s {
			l.line.Set(i)
		}
	}
	if edges(l.line) < minEdges1D {
		return nil, nil
	}
	if l.budget <= 0 {
		return nil, errBudget
	}
	l.budget--
	return l.tryRow(0, l.line)
}

// grayLineBudget bounds how many gray lines a frame hands to the 1D
// readers, whose every miss is a pattern search and an error value: a
// scene busy with stripes and print everywhere would otherwise cost tens
// of milliseconds a frame. Lines go from the middle of the frame
// outwards, where badges are held; the budget is twice what the corpus
// needs (its slanted Code 128 frames read with 80, not with 60).
const grayLineBudget = 160

// errBudget stops the gray line passes of a frame.
var errBudget = gozxing.NewNotFoundException("scan: gray line budget spent")

// add appends a 1D reader; checked says whether its symbology carries a
// check character.
func (l *lineDecoder) add(r rowReader, checked bool) {
	l.readers = append(l.readers, r)
	l.checked = append(l.checked, checked)
}

// any reports whether some reader is in set.
func (l *lineDecoder) any(set readerSet) bool {
	for _, c := range l.checked {
		if set.has(c) {
			return true
		}
	}
	return false
}

// A 1D read counts only if its bars run on across the line: the gray
// profile of the code's stretch of the line must come back, nearly the
// same, on a parallel line at least confirmFrac of the code's length away
// (either side; several distances are tried). A barcode's bars are at
// least that tall (a badge's Code 128 about a third of its length, an EAN
// 70%), so the lines across it look alike; a line of printed digits is
// shallower than that. Without this, the clock digits of Chromium's test
// camera read as an EAN-13 with a valid check digit on one frame in 500,
// and a false read punches the wrong person. The profile is compared, not
// decoded again: on a blurred or noisy frame only a few lines of a real
// code decode at all.
const (
	confirmFrac = 0.1
	// confirmMinCorr is the least correlation of the two profiles.
	confirmMinCorr = 0.6
	// confirmLean is the most the bars may lean, as the shift along the
	// line per unit of distance between the lines (tan 35 degrees): a
	// turned or tilted code's bars cross the lines at a slant.
	confirmLean = 0.7
	// confirmPieces is how many pieces of the code are compared, each
	// with a shift of its own.
	confirmPieces = 4
)

// barsContinue reports whether r, read on a line whose gray samples are
// orig (orig[i] at position (o0+i)*scale along the line, in pixels), has
// the same profile on a parallel line: parallel(off) samples the line off
// pixels away and tells where it starts, in samples (nil: off the frame).
func (l *lineDecoder) barsContinue(r *gozxing.Result, scale float64, orig []byte, o0 float64, parallel func(off float64) ([]byte, float64)) bool {
	pts := r.GetResultPoints()
	if len(pts) < 2 {
		return false
	}
	a, b := int(pts[0].GetX()), int(pts[len(pts)-1].GetX())
	if l.reversed {
		a, b = len(orig)-1-a, len(orig)-1-b
	}
	if a > b {
		a, b = b, a
	}
	if a < 0 || b >= len(orig) {
		return false
	}
	length := float64(b-a) * scale
	if length < 16 {
		return false
	}
	off := max(3, confirmFrac*length)
	for _, k := range [...]float64{1, -1, 1.5, -1.5, 2, -2} {
		par, p0 := parallel(k * off)
		if par == nil {
			continue
		}
		// orig[i] lies across from par[i+delta].
		delta := int(math.Round(o0 - p0))
		lean := int(confirmLean*math.Abs(k)*off/scale + 0.5)
		// Piece by piece: a code in perspective leans one way at one
		// end and the other way at the other.
		seg := (b + 1 - a + confirmPieces - 1) / confirmPieces
		sum, pieces := 0.0, 0
		for i := a; i <= b; i += seg {
			sum += correlated(orig[i:min(i+seg, b+1)], par, i+delta, lean)
			pieces++
		}
		if sum/float64(pieces) >= confirmMinCorr {
			return true
		}
	}
	return false
}

// correlated is the highest correlation of x with the stretch of y that
// starts at start+s, for shifts s within ±lean (stretches that leave y are
// skipped); 0 when none fits or either is flat.
func correlated(x, y []byte, start, lean int) float64 {
	n := len(x)
	var sx, sxx float64
	for _, v := range x {
		sx += float64(v)
		sxx += float64(v) * float64(v)
	}
	vx := sxx - sx*sx/float64(n)
	if vx <= 0 {
		return 0
	}
	best := 0.0
	for s := -lean; s <= lean; s++ {
		lo := start + s
		if lo < 0 || lo+n > len(y) {
			continue
		}
		var sy, syy, sxy float64
		for i, v := range y[lo : lo+n] {
			fv := float64(v)
			sy += fv
			syy += fv * fv
			sxy += fv * float64(x[i])
		}
		vy := syy - sy*sy/float64(n)
		if vy <= float64(n)*lineMinSpread*lineMinSpread {
			continue // flat: no bars there
		}
		if c := (sxy - sx*sy/float64(n)) / math.Sqrt(vx*vy); c > best {
			best = c
		}
	}
	return best
}
