package scan

import (
	"github.com/makiuchi-d/gozxing"
)

// The block size and contrast floor of gozxing's HybridBinarizer, whose
// algorithm binarizer reproduces bit for bit.
const (
	blockPower  = gozxing.BLOCK_SIZE_POWER
	blockSize   = gozxing.BLOCK_SIZE
	minDimen    = gozxing.MINIMUM_DIMENSION
	minDynRange = gozxing.MIN_DYNAMIC_RANGE
)

// binarizer is gozxing's HybridBinarizer (local thresholds over 8x8 blocks,
// averaged over a 5x5 neighbourhood of blocks) rewritten to run on every
// camera frame: it reuses its buffers between frames instead of allocating
// a [][]int and a matrix each time, and it writes the thresholded bits a
// word at a time instead of calling BitMatrix.Set per pixel. Binarizing is
// about half of the work on an empty frame, and in wasm the per-pixel calls
// and bounds checks weigh more than natively. A test checks that the
// matrix equals HybridBinarizer's on the test frames.
type binarizer struct {
	gozxing.Binarizer // HybridBinarizer for the rows, small frames and CreateBinarizer

	lum           []byte
	width, height int
	mem           *binarizerMem
	// lowContrast thresholds against the local mean minus lowContrastOffset
	// and gives flat blocks their mean rather than HybridBinarizer's guess
	// of "background, half its minimum", which on a code spanning 40 gray
	// levels turns its dark modules white.
	lowContrast bool
}

// lowContrastOffset is how far below its neighbourhood's mean a pixel must
// be to count as dark in low-contrast thresholding: above sensor noise in
// flat areas, well within a 40-level code's swing.
const lowContrastOffset = 6

// binarizerMem is what a Decoder keeps between frames.
type binarizerMem struct {
	points []int             // black point of each block, row-major
	words  []uint32          // the matrix's bits, 32 pixels a word
	row    *gozxing.BitArray // staging for BitMatrix.SetRow
	matrix *gozxing.BitMatrix

	frame    uint64             // the Decoder frame that current was made from
	current  *gozxing.BitMatrix // matrix, or HybridBinarizer's own for small frames
	inverted bool               // current is flipped

	barsFrame uint64  // the frame that bars was computed for
	bars      bool    // see Decoder.barsInView
	cols      []int32 // edges per column, for barsInView
}

func newBinarizer(src gozxing.LuminanceSource, lum []byte, width, height int, mem *binarizerMem, lowContrast bool) *binarizer {
	return &binarizer{
		Binarizer:   gozxing.NewHybridBinarizer(src),
		lum:         lum,
		width:       width,
		height:      height,
		mem:         mem,
		lowContrast: lowContrast,
	}
}

// GetBlackMatrix thresholds the whole frame.
func (b *binarizer) GetBlackMatrix() (*gozxing.BitMatrix, error) {
	width, height := b.width, b.height
	if width < minDimen || height < minDimen {
		// HybridBinarizer falls back to a global histogram here too.
		return b.Binarizer.GetBlackMatrix()
	}
	m := b.mem
	subW := (width + blockSize - 1) >> blockPower
	subH := (height + blockSize - 1) >> blockPower
	rowWords := (width + 31) / 32

	if cap(m.points) < subW*subH {
		m.points = make([]int, subW*subH)
	}
	points := m.points[:subW*subH]
	if cap(m.words) < rowWords*height {
		m.words = make([]uint32, rowWords*height)
	}
	words := m.words[:rowWords*height]
	clear(words)
	if m.matrix == nil || m.matrix.GetWidth() != width || m.matrix.GetHeight() != height {
		mat, err := gozxing.NewBitMatrix(width, height)
		if err != nil {
			return nil, err
		}
		m.matrix = mat
		m.row = gozxing.NewBitArray(width)
	}

	b.blackPoints(points, subW, subH)
	b.threshold(points, subW, subH, words, rowWords)

	stage := m.row.GetBitArray()
	for y := 0; y < height; y++ {
		copy(stage, words[y*rowWords:(y+1)*rowWords])
		m.matrix.SetRow(y, m.row)
	}
	return m.matrix, nil
}

// blackPoints computes each block's black point exactly as
// HybridBinarizer.calculateBlackPoints does.
func (b *binarizer) blackPoints(points []int, subW, subH int) {
	lum, width := b.lum, b.width
	maxY, maxX := b.height-blockSize, width-blockSize
	for by := 0; by < subH; by++ {
		yoff := min(by<<blockPower, maxY)
		for bx := 0; bx < subW; bx++ {
			xoff := min(bx<<blockPower, maxX)
			sum, lo, hi := 0, 0xff, 0
			for yy := 0; yy < blockSize; yy++ {
				px := lum[(yoff+yy)*width+xoff:][:blockSize:blockSize]
				for _, p := range px {
					v := int(p)
					sum += v
					lo = min(lo, v)
					hi = max(hi, v)
				}
			}
			avg := sum >> (2 * blockPower)
			if hi-lo <= minDynRange && !b.lowContrast {
				// A flat block: assume background (half its minimum)
				// unless its already-computed neighbours say it sits in
				// something darker, as HybridBinarizer does.
				avg = lo / 2
				if by > 0 && bx > 0 {
					nb := (points[(by-1)*subW+bx] + 2*points[by*subW+bx-1] + points[(by-1)*subW+bx-1]) / 4
					if lo < nb {
						avg = nb
					}
				}
			}
			points[by*subW+bx] = avg
		}
	}
}

// threshold sets the bits of pixels at or below their block's 5x5-averaged
// black point. Bits are ORed in, as BitMatrix.Set does, so the last
// (clamped, overlapping) block row and column behave as in HybridBinarizer.
func (b *binarizer) threshold(points []int, subW, subH int, words []uint32, rowWords int) {
	lum, width := b.lum, b.width
	maxY, maxX := b.height-blockSize, width-blockSize
	for by := 0; by < subH; by++ {
		yoff := min(by<<blockPower, maxY)
		top := min(max(by, 2), subH-3)
		for bx := 0; bx < subW; bx++ {
			xoff := min(bx<<blockPower, maxX)
			left := min(max(bx, 2), subW-3)
			sum := 0
			for z := -2; z <= 2; z++ {
				r := points[(top+z)*subW+left-2:][:5:5]
				sum += r[0] + r[1] + r[2] + r[3] + r[4]
			}
			t := sum / 25
			if b.lowContrast {
				t -= lowContrastOffset
			}
			word, shift := xoff>>5, uint(xoff&31)
			for yy := 0; yy < blockSize; yy++ {
				px := lum[(yoff+yy)*width+xoff:][:blockSize:blockSize]
				var mask uint32
				for i, p := range px {
					if int(p) <= t {
						mask |= 1 << uint(i)
					}
				}
				if mask == 0 {
					continue
				}
				w := words[(yoff+yy)*rowWords:][:rowWords:rowWords]
				w[word] |= mask << shift
				if shift > 32-blockSize {
					w[word+1] |= mask >> (32 - shift)
				}
			}
		}
	}
}
