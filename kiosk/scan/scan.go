// Package scan decodes badge codes (QR, Code 128, Code 39, EAN/UPC) from
// camera frames.
//
// It is pure Go and builds for linux and js/wasm: the kiosk grabs a frame
// from the camera preview with a canvas, hands the RGBA bytes to
// [Decoder.DecodeRGBA], and feeds the results through a [Debouncer] so that a
// badge held in front of the camera yields one punch, not thirty a second.
//
// A frame is looked at in passes, cheapest and likeliest first (see
// passes): a badge held up in fair light is read by the first two, and
// the retries for what defeats them (light on dark, low contrast, thin,
// turned or slanted bars, perspective) follow. A kiosk looks at an empty
// entrance most of the day, so the empty frame is the case to keep cheap:
// a Decoder reuses its buffers and readers between frames, thresholds each
// way once a frame, and skips the gray line passes when no row or column
// of the frame crosses a barcode's worth of edges. The badge corpus in
// testdata/scan (see scantest) is what the passes are measured on.
package scan

import (
	"errors"
	"fmt"
	"image"
	"math/bits"
	"slices"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
)

// Format names a barcode symbology. The values are stable strings so that
// they can be stored as punch evidence without depending on gozxing.
type Format string

// The formats a Decoder reads.
const (
	FormatQR      Format = "qr"
	FormatCode128 Format = "code128"
	FormatCode39  Format = "code39"
	FormatEAN13   Format = "ean13"
	FormatEAN8    Format = "ean8"
	FormatUPCA    Format = "upca"
	FormatUPCE    Format = "upce"
)

// Result is one decoded code.
type Result struct {
	// Text is the decoded content, exactly as encoded on the badge.
	Text string
	// Format is the symbology the code was read as.
	Format Format
}

var (
	// ErrNotFound reports that nothing readable is in the frame. It is the
	// normal answer for most frames and callers should simply try the next
	// one.
	ErrNotFound = errors.New("scan: no code found")

	// ErrUnreadable reports that something code-like was located but failed
	// its checksum or format checks (motion blur, glare, a badge half in
	// view). Errors matching it also match ErrNotFound, because nothing was
	// read. It is a weak hint: busy or noisy scenes produce it without any
	// code (in tests, about half of all random-noise frames), so a UI
	// should say "hold the badge still" only when it persists over many
	// consecutive frames.
	ErrUnreadable = errors.New("scan: code found but unreadable")

	// ErrBadFrame reports a frame whose size and pixel data do not agree.
	// It indicates a bug in the caller, not an empty frame.
	ErrBadFrame = errors.New("scan: bad frame")
)

// maxPixels bounds the frame size so that a corrupt width or height cannot
// make the decoder allocate gigabytes. 16 Mpx is beyond any webcam we use.
const maxPixels = 1 << 24

// Decoder decodes frames. It holds buffers and readers that are reused
// between calls, so keep one per camera. A Decoder is not safe for
// concurrent use.
type Decoder struct {
	gray    []byte
	frame   uint64    // counts frames, so that thresholded matrices are made once a frame
	qr      *qrReader // nil when QR is not wanted
	lines   lineDecoder
	bin     binarizerMem // HybridBinarizer's thresholds
	binLow  binarizerMem // local mean thresholds for low contrast
	readBy  string       // the pass that read the last code, for tests
	half    []byte       // the frame at half size
	binHalf binarizerMem // its HybridBinarizer thresholds
}

// DefaultFormats are what NewDecoder reads when given no formats. EAN-8
// and UPC-E are left out: they are short with a weak checksum, and in tests
// random noise frames read as one about once in fifty.
var DefaultFormats = []Format{FormatQR, FormatCode128, FormatCode39, FormatEAN13}

// NewDecoder returns a Decoder for the given formats, or for
// DefaultFormats when none are given. Limiting a site to the formats its
// badges use saves a little time on every empty frame and avoids false
// reads: Code 39 has no checksum, so stripes on clothing can now and then
// pass for one.
func NewDecoder(formats ...Format) *Decoder {
	if len(formats) == 0 {
		formats = DefaultFormats
	}
	d := &Decoder{}
	if slices.Contains(formats, FormatQR) {
		d.qr = newQRReader()
	}
	// Code 128 first: it is what our badges print when they are 1D.
	if slices.Contains(formats, FormatCode128) {
		d.lines.add(oned.NewCode128Reader().(oned.RowDecoder), true)
	}
	// The EAN/UPC family shares one reader that finds the start guard once.
	var upcean []gozxing.BarcodeFormat
	for _, f := range []struct {
		ours   Format
		theirs gozxing.BarcodeFormat
	}{
		{FormatEAN13, gozxing.BarcodeFormat_EAN_13},
		{FormatUPCA, gozxing.BarcodeFormat_UPC_A},
		{FormatEAN8, gozxing.BarcodeFormat_EAN_8},
		{FormatUPCE, gozxing.BarcodeFormat_UPC_E},
	} {
		if slices.Contains(formats, f.ours) {
			upcean = append(upcean, f.theirs)
		}
	}
	if len(upcean) > 0 {
		hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_POSSIBLE_FORMATS: upcean}
		d.lines.add(oned.NewMultiFormatUPCEANReader(hints).(oned.RowDecoder), true)
	}
	if slices.Contains(formats, FormatCode39) {
		d.lines.add(oned.NewCode39Reader().(oned.RowDecoder), false)
	}
	return d
}

// Decode decodes the first code found in img. Common image types (RGBA,
// NRGBA, Gray, YCbCr, Paletted) are converted without per-pixel interface
// calls.
func (d *Decoder) Decode(img image.Image) (Result, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if err := checkDims(w, h); err != nil {
		return Result{}, err
	}
	d.gray = grow(d.gray, w*h)
	grayFromImage(d.gray, img)
	d.frame++
	return d.decodeGray(w, h)
}

// DecodeRGBA decodes the first code found in tightly packed RGBA pixels,
// four bytes a pixel, rows top to bottom: the layout of a canvas
// getImageData().data. Extra bytes after width*height*4 are ignored.
func (d *Decoder) DecodeRGBA(pix []byte, width, height int) (Result, error) {
	if err := checkSize(len(pix), width, height, 4); err != nil {
		return Result{}, err
	}
	d.gray = grow(d.gray, width*height)
	grayFromRGBA(d.gray, pix, width, height, width*4)
	d.frame++
	return d.decodeGray(width, height)
}

// DecodeGray decodes the first code found in width*height luminance bytes,
// such as the Y plane of a YUV frame. pix is read, not kept.
func (d *Decoder) DecodeGray(pix []byte, width, height int) (Result, error) {
	if err := checkSize(len(pix), width, height, 1); err != nil {
		return Result{}, err
	}
	d.gray = grow(d.gray, width*height)
	copy(d.gray, pix)
	d.frame++
	return d.decodeGray(width, height)
}

// checkDims rejects empty and oversized frames. Each side is bounded
// before multiplying so that the product cannot overflow.
func checkDims(width, height int) error {
	if width <= 0 || height <= 0 || width > maxPixels || height > maxPixels || width*height > maxPixels {
		return fmt.Errorf("%w: %dx%d", ErrBadFrame, width, height)
	}
	return nil
}

// checkSize checks the frame's dimensions and that n bytes hold it at bpp
// bytes a pixel.
func checkSize(n, width, height, bpp int) error {
	if err := checkDims(width, height); err != nil {
		return err
	}
	if n < width*height*bpp {
		return fmt.Errorf("%w: %d bytes for %dx%d at %d bytes a pixel", ErrBadFrame, n, width, height, bpp)
	}
	return nil
}

// decodeGray runs the passes over d.gray, cheapest and likeliest first,
// and returns the first code read. gozxing is a port of Java code that
// indexes slices freely; a panic on a pathological frame must not take the
// kiosk down, so it is turned into an error here.
func (d *Decoder) decodeGray(width, height int) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = Result{}, fmt.Errorf("scan: decoder panic: %v", r)
		}
	}()
	gray := d.gray[:width*height]
	d.lines.lastErr = nil
	d.lines.budget = grayLineBudget
	var qrErr error = gozxing.NewNotFoundException()
	for _, p := range passes {
		if p.qr && d.qr == nil || !p.qr && !d.lines.any(p.readers) {
			continue
		}
		d.lines.use = p.readers
		if p.needsBars {
			bars, err := d.barsInView(gray, width, height)
			if err != nil && !isReaderException(err) {
				return Result{}, fmt.Errorf("scan: %s: %w", p.name, err)
			}
			if !bars {
				continue
			}
		}
		var text string
		var r *gozxing.Result
		var err error
		switch {
		case p.qr:
			var m *gozxing.BitMatrix
			if p.half {
				m, err = d.halfMatrix(gray, width, height)
			} else {
				m, err = d.matrix(gray, width, height, p.lowContrast, p.inverted)
			}
			if err == nil {
				text, err = d.qr.decode(m)
			}
			if err == nil {
				d.readBy = p.name
				return Result{Text: text, Format: FormatQR}, nil
			}
			if isReaderException(err) {
				if isUnreadable(err) {
					qrErr = err
				}
				err = nil
			}
		case p.rows > 0:
			var m *gozxing.BitMatrix
			if m, err = d.matrix(gray, width, height, p.lowContrast, p.inverted); err == nil {
				r, err = d.lines.rowsOf(m, gray, p.rows)
			}
		default:
			r, err = d.lines.grayLines(gray, width, height, p.angles, p.step, p.stride)
		}
		if err != nil && !isReaderException(err) {
			return Result{}, fmt.Errorf("scan: %s: %w", p.name, err)
		}
		if r != nil {
			d.readBy = p.name
			return Result{Text: r.GetText(), Format: formatOf(r.GetBarcodeFormat())}, nil
		}
	}
	return Result{}, notFound(qrErr, d.lines.lastErr)
}

// pass is one way of looking at a frame.
type pass struct {
	name string
	// qr decodes a QR code from the thresholded frame; rows > 0 reads
	// that many of its rows for 1D codes; otherwise the 1D readers scan
	// gray lines at angles, step pixels apart.
	qr     bool
	rows   int
	angles []float64
	step   int
	stride float64
	// lowContrast thresholds against the local mean without the
	// HybridBinarizer's floor on a block's contrast; inverted reads light
	// codes on dark.
	lowContrast, inverted bool
	// readers are the 1D readers a 1D pass runs.
	readers readerSet
	// half reads the frame at half its width and height.
	half bool
	// needsBars runs the pass only when some row or column of the
	// thresholded frame crosses as many edges as the shortest barcode
	// has (see barsInView): on an empty wall, nothing does.
	needsBars bool
}

// passes is the order in which a frame is looked at, cheapest and
// likeliest first: a QR badge held up in fair light is read by the first
// (at half size, a quarter of the work), a barcode by the second (48 gray
// rows thresholded on their own, without thresholding the whole frame).
// That one runs only the readers whose symbologies carry a check
// character, so that rows across a QR code the half-size pass missed
// cannot pass for a Code 39, which has none: Code 39 waits until the QR
// pass at full size has had its go. The retries then follow what defeats
// the first passes: blur and small bars (rows of the HybridBinarizer
// matrix), a light code on a dark badge (the matrix flipped), bars too
// thin or a badge turned a quarter (gray rows and columns at half a
// pixel), a code spanning 40 gray levels (local-mean thresholds), and a
// barcode held at a slant (gray lines every 22.5 degrees). A QR seen in
// perspective is retried inside each QR pass (see
// qrReader.decodeSkewed).
var passes = []pass{
	{name: "qr half size", qr: true, half: true},
	{name: "gray rows", angles: []float64{0}, step: 10, stride: 1, readers: checkedReaders},
	{name: "qr", qr: true},
	{name: "rows", rows: rows1D},
	{name: "qr inverted", qr: true, inverted: true},
	{name: "rows inverted", rows: rows1D, inverted: true},
	{name: "gray rows and columns", angles: []float64{0, 90}, step: 8, stride: 0.5, needsBars: true},
	{name: "qr low contrast", qr: true, lowContrast: true},
	{name: "qr low contrast inverted", qr: true, lowContrast: true, inverted: true},
	{name: "rows low contrast", rows: rows1D, lowContrast: true, needsBars: true},
	{name: "gray lines", angles: []float64{22.5, 45, 67.5, 112.5, 135, 157.5}, step: 14, stride: 1, needsBars: true},
}

// matrix returns d.gray thresholded as asked. The matrix is computed once
// a frame for each kind and flipped in place for the other polarity.
func (d *Decoder) matrix(gray []byte, width, height int, lowContrast, inverted bool) (*gozxing.BitMatrix, error) {
	mem := &d.bin
	if lowContrast {
		mem = &d.binLow
	}
	return d.threshold(mem, gray, width, height, lowContrast, inverted)
}

// halfMatrix returns the frame at half its width and height (each pixel
// the mean of four), thresholded as HybridBinarizer does: a quarter of the
// work of the full frame for the QR pass that reads most badges, whose
// modules are three pixels or more.
func (d *Decoder) halfMatrix(gray []byte, width, height int) (*gozxing.BitMatrix, error) {
	hw, hh := width/2, height/2
	if d.binHalf.frame != d.frame {
		d.half = grow(d.half, hw*hh)
		for y := 0; y < hh; y++ {
			a := gray[2*y*width:][:2*hw]
			b := gray[(2*y+1)*width:][:2*hw]
			out := d.half[y*hw:][:hw]
			for x := range out {
				out[x] = byte((uint32(a[2*x]) + uint32(a[2*x+1]) + uint32(b[2*x]) + uint32(b[2*x+1]) + 2) >> 2)
			}
		}
	}
	return d.threshold(&d.binHalf, d.half, hw, hh, false, false)
}

// threshold returns gray thresholded into mem, once a frame, flipped in
// place to the polarity asked.
func (d *Decoder) threshold(mem *binarizerMem, gray []byte, width, height int, lowContrast, inverted bool) (*gozxing.BitMatrix, error) {
	if mem.frame != d.frame {
		src, err := gozxing.NewPlanarYUVLuminanceSource(gray, width, height, 0, 0, width, height, false)
		if err != nil {
			return nil, fmt.Errorf("scan: luminance source: %w", err)
		}
		m, err := newBinarizer(src, gray, width, height, mem, lowContrast).GetBlackMatrix()
		if err != nil {
			return nil, err
		}
		mem.frame, mem.current, mem.inverted = d.frame, m, false
	}
	if mem.inverted != inverted {
		mem.current.FlipAll()
		mem.inverted = inverted
	}
	return mem.current, nil
}

// notFound maps the readers' misses to ErrNotFound, or to an error
// matching both ErrNotFound and ErrUnreadable when one of them located a
// code it could not read.
func notFound(errs ...error) error {
	for _, err := range errs {
		if err != nil && isUnreadable(err) {
			return unreadableError{}
		}
	}
	return ErrNotFound
}

// unreadableError is ErrUnreadable that also matches ErrNotFound, so that
// callers who only care whether a code was read need one test.
type unreadableError struct{}

func (unreadableError) Error() string { return ErrUnreadable.Error() }

func (unreadableError) Is(target error) bool {
	return target == ErrUnreadable || target == ErrNotFound
}

// barsInView reports whether some row or column of the frame, thresholded
// as HybridBinarizer does, crosses at least minEdges1D edges of some
// contrast (barEdgeStep gray levels between the pixels either side): the
// least a barcode crossed by it shows, at any angle, since a slanted line
// of bars still cuts many of them. Without the contrast test, a line
// running along the edge of any object counts the noise that flips its
// pixels to and fro. Counting costs a pass over the matrix's words, far
// less than the gray line passes it spares on a quiet frame.
func (d *Decoder) barsInView(gray []byte, width, height int) (bool, error) {
	if _, err := d.matrix(gray, width, height, false, false); err != nil {
		return false, err
	}
	mem := &d.bin
	if mem.barsFrame == d.frame {
		return mem.bars, nil
	}
	mem.barsFrame = d.frame
	mem.bars = true
	rowWords := (width + 31) / 32
	if width < minDimen || height < minDimen || len(mem.words) < rowWords*height {
		return true, nil // HybridBinarizer's own matrix: look everywhere
	}
	words := mem.words[:rowWords*height]
	step := func(a, b byte) bool { return int(a)-int(b) >= barEdgeStep || int(b)-int(a) >= barEdgeStep }
	for y := 0; y < height; y++ {
		n := 0
		var prev uint32
		for i, w := range words[y*rowWords : (y+1)*rowWords] {
			for x := w ^ (w<<1 | prev); x != 0; x &= x - 1 {
				c := i*32 + bits.TrailingZeros32(x)
				if c > 0 && c < width && step(gray[y*width+c], gray[y*width+c-1]) {
					if n++; n >= minEdges1D {
						return true, nil
					}
				}
			}
			prev = w >> 31
		}
	}
	if cap(mem.cols) < width {
		mem.cols = make([]int32, width)
	}
	cols := mem.cols[:width]
	clear(cols)
	for y := 1; y < height; y++ {
		above, row := words[(y-1)*rowWords:y*rowWords], words[y*rowWords:(y+1)*rowWords]
		for i, w := range row {
			for x := w ^ above[i]; x != 0; x &= x - 1 {
				c := i*32 + bits.TrailingZeros32(x)
				if c < width && step(gray[y*width+c], gray[(y-1)*width+c]) {
					if cols[c]++; cols[c] >= minEdges1D {
						return true, nil
					}
				}
			}
		}
	}
	mem.bars = false
	return false, nil
}

// barEdgeStep is the gray step between neighbouring pixels that
// barsInView counts as an edge: above sensor noise, below the step at a
// blurred bar of a code spanning 40 gray levels.
const barEdgeStep = 12

// rows1D is how many rows of a thresholded frame the 1D passes look at,
// spread evenly over the frame from the middle outwards: one every 10
// pixels of a 640x480 frame, so that a small or half-covered barcode is
// crossed by a few. A row costs a copy out of the bit matrix and an edge
// count; only rows busy enough to hold a code reach the readers.
const rows1D = 47

// minEdges1D is the fewest black/white edges a row must have to hold any
// code we read: the shortest Code 39 or Code 128 symbol has 13 bars, so 26
// edges. Most rows of an empty frame have far fewer, and skipping them saves
// the readers' pattern searches and the stack-capturing exceptions gozxing
// raises for every miss.
const minEdges1D = 26

// edges counts the black/white transitions in row, a word at a time.
func edges(row *gozxing.BitArray) int {
	return wordEdges(row.GetBitArray())
}

// wordEdges counts the transitions in a row of bits, 32 a word.
func wordEdges(words []uint32) int {
	n := 0
	var prev uint32 // the last bit of the previous word, in bit 0
	for _, w := range words {
		n += bits.OnesCount32(w ^ (w<<1 | prev))
		prev = w >> 31
	}
	return n
}

// isReaderException reports whether err is one of gozxing's "could not
// read" errors (not found, checksum, format) rather than a real failure.
func isReaderException(err error) bool {
	var re gozxing.ReaderException
	return errors.As(err, &re)
}

// isUnreadable reports a checksum or format failure: a code was located but
// its content did not check out.
func isUnreadable(err error) bool {
	var ce gozxing.ChecksumException
	var fe gozxing.FormatException
	return errors.As(err, &ce) || errors.As(err, &fe)
}

func formatOf(f gozxing.BarcodeFormat) Format {
	switch f {
	case gozxing.BarcodeFormat_QR_CODE:
		return FormatQR
	case gozxing.BarcodeFormat_CODE_128:
		return FormatCode128
	case gozxing.BarcodeFormat_CODE_39:
		return FormatCode39
	case gozxing.BarcodeFormat_EAN_13:
		return FormatEAN13
	case gozxing.BarcodeFormat_EAN_8:
		return FormatEAN8
	case gozxing.BarcodeFormat_UPC_A:
		return FormatUPCA
	case gozxing.BarcodeFormat_UPC_E:
		return FormatUPCE
	}
	return Format(f.String())
}
