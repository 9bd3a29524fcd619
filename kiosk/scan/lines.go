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
func (l *lineDecoder) rowsOf(m *gozxing.BitMatrix, n int) (*gozxing.Result, error) {
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
		if r, err := l.tryRow(y, m.GetRow(y, l.row)); r != nil || err != nil {
			return r, err
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
			if r != nil || err != nil {
				return r, err
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
	for t := math.Ceil(tmin/stride) * stride; t <= tmax; t += stride {
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
