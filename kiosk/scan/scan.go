// Package scan decodes badge codes (QR, Code 128, Code 39, EAN/UPC) from
// camera frames.
//
// It is pure Go and builds for linux and js/wasm: the kiosk grabs a frame
// from the camera preview with a canvas, hands the RGBA bytes to
// [Decoder.DecodeRGBA], and feeds the results through a [Debouncer] so that a
// badge held in front of the camera yields one punch, not thirty a second.
//
// A kiosk looks at an empty entrance most of the day, so the empty frame is
// the case to keep cheap: a Decoder reuses its gray buffer and readers
// between frames and tries the QR reader (one binarization of the frame)
// before scanning a few rows for 1D codes.
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
	gray   []byte
	qr     *qrReader // nil when QR is not wanted
	oneD   []oned.RowDecoder
	row    *gozxing.BitArray
	hints1 map[gozxing.DecodeHintType]interface{}
	bin    binarizerMem
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
		d.oneD = append(d.oneD, oned.NewCode128Reader().(oned.RowDecoder))
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
		d.oneD = append(d.oneD, oned.NewMultiFormatUPCEANReader(hints).(oned.RowDecoder))
	}
	if slices.Contains(formats, FormatCode39) {
		d.oneD = append(d.oneD, oned.NewCode39Reader().(oned.RowDecoder))
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

// decodeGray runs the readers over d.gray. gozxing is a port of Java code
// that indexes slices freely; a panic on a pathological frame must not take
// the kiosk down, so it is turned into an error here.
func (d *Decoder) decodeGray(width, height int) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = Result{}, fmt.Errorf("scan: decoder panic: %v", r)
		}
	}()
	src, err := gozxing.NewPlanarYUVLuminanceSource(d.gray, width, height, 0, 0, width, height, false)
	if err != nil {
		return Result{}, fmt.Errorf("scan: luminance source: %w", err)
	}
	bmp, err := gozxing.NewBinaryBitmap(newBinarizer(src, d.gray[:width*height], width, height, &d.bin))
	if err != nil {
		return Result{}, fmt.Errorf("scan: bitmap: %w", err)
	}

	var qrErr error = gozxing.NewNotFoundException()
	if d.qr != nil {
		var text string
		text, qrErr = d.qr.decode(bmp)
		if qrErr == nil {
			return Result{Text: text, Format: FormatQR}, nil
		}
		if !isReaderException(qrErr) {
			return Result{}, fmt.Errorf("scan: qr: %w", qrErr)
		}
	}
	if len(d.oneD) == 0 {
		return Result{}, notFound(qrErr, nil)
	}

	r, oneErr := d.decode1D(bmp)
	if oneErr == nil {
		return Result{Text: r.GetText(), Format: formatOf(r.GetBarcodeFormat())}, nil
	}
	if !isReaderException(oneErr) {
		return Result{}, fmt.Errorf("scan: 1d: %w", oneErr)
	}
	return Result{}, notFound(qrErr, oneErr)
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

// rows1D is how many rows the 1D pass looks at, spread evenly over the
// frame from the middle outwards. gozxing's own loop looks at 15 rows in the
// middle half only; a badge is often held low or high, so we cover the
// whole height. A row costs a copy out of the bit matrix and an edge count;
// only rows busy enough to hold a code reach the readers.
const rows1D = 24

// decode1D scans rows from the middle outwards and tries every 1D reader on
// each binarized row, forwards and backwards (an upside-down badge). The rows
// come from the locally thresholded matrix the QR pass already computed:
// that costs nothing more and, on blurred 2-pixel bars, read more of our
// test frames than gozxing's per-row global histogram. Doing the row loop
// here rather than in each gozxing reader also visits each row once instead
// of once per format.
func (d *Decoder) decode1D(bmp *gozxing.BinaryBitmap) (*gozxing.Result, error) {
	matrix, err := bmp.GetBlackMatrix()
	if err != nil {
		return nil, err
	}
	width, height := matrix.GetWidth(), matrix.GetHeight()
	if d.row == nil || d.row.GetSize() != width {
		d.row = gozxing.NewBitArray(width)
	}
	step := max(1, height/(rows1D+1))
	middle := height / 2
	var lastErr error = gozxing.NewNotFoundException()
	for i := 0; i < rows1D+1; i++ {
		// middle, middle-step, middle+step, middle-2*step, ...
		off := (i + 1) / 2 * step
		if i%2 == 1 {
			off = -off
		}
		y := middle + off
		if y < 0 || y >= height {
			continue
		}
		row := matrix.GetRow(y, d.row)
		if edges(row) < minEdges1D {
			continue
		}
		for pass := 0; pass < 2; pass++ {
			if pass == 1 {
				row.Reverse()
			}
			for _, rd := range d.oneD {
				r, err := rd.DecodeRow(y, row, d.hints1)
				if err == nil {
					return r, nil
				}
				if !isReaderException(err) {
					return nil, err
				}
				if isUnreadable(err) {
					lastErr = err
				}
			}
		}
	}
	return nil, lastErr
}

// minEdges1D is the fewest black/white edges a row must have to hold any
// code we read: the shortest Code 39 or Code 128 symbol has 13 bars, so 26
// edges. Most rows of an empty frame have far fewer, and skipping them saves
// the readers' pattern searches and the stack-capturing exceptions gozxing
// raises for every miss.
const minEdges1D = 26

// edges counts the black/white transitions in row, a word at a time.
func edges(row *gozxing.BitArray) int {
	n := 0
	var prev uint32 // the last bit of the previous word, in bit 0
	for _, w := range row.GetBitArray() {
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
