package scan

import (
	"github.com/makiuchi-d/gozxing"
	multidetector "github.com/makiuchi-d/gozxing/multi/qrcode/detector"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// maxRetriesQR bounds how many other finder-pattern triples the second QR
// pass tries, so a cluttered frame costs at most that many more grid
// samplings and decodes.
const maxRetriesQR = 4

// qrReader is gozxing's QRCodeReader (without the pure-barcode hint) plus a
// second pass for a weakness of its finder-pattern search.
//
// The search scans rows and stops as soon as it holds three confirmed
// candidates of about the same module size. Data modules now and then form
// a 1:1:3:1:1 run that passes its cross-checks, and when such a run lies
// above the bottom-left finder pattern the search stops before reaching the
// real one and builds the symbol on the wrong triangle: a clean, valid code
// is reported as not found or unreadable. zbar and zxing-cpp read those
// symbols; about one kiosk phone-URL code in ninety hit it (see
// TestDecodeFalseFinderPattern, and TestKioskCodesDecode in kiosk/rotate).
//
// So when the first pass fails after such an early stop, a second one scans
// every row for candidates, as gozxing's multi-code detector does, and tries
// the triples shaped like a code's corners. Empty and noise frames hardly
// ever hold three confirmed candidates of one size (none of a hundred of
// each in tests), so they cost what they did.
type qrReader struct {
	dec *decoder.Decoder
}

func newQRReader() *qrReader {
	return &qrReader{dec: decoder.NewDecoder()}
}

// decode returns the text of the QR code in bmp.
func (q *qrReader) decode(bmp *gozxing.BinaryBitmap) (string, error) {
	m, err := bmp.GetBlackMatrix()
	if err != nil {
		return "", err
	}
	finder := detector.NewFinderPatternFinder(m, nil)
	info, err := finder.Find(nil)
	if err != nil {
		return "", err
	}
	text, err := q.decodeAt(m, info)
	if err == nil || !finder.HaveMultiplyConfirmedCenters() {
		// Read, or the search looked at the whole frame and chose the
		// best triangle of all it found: nothing more to look at.
		return text, err
	}
	infos, multiErr := multidetector.NewMultiFinderPatternFinder(m, nil).FindMulti(nil)
	if multiErr != nil {
		return "", err
	}
	tried := 0
	for _, other := range infos {
		if tried == maxRetriesQR {
			break
		}
		if sameTriple(info, other) {
			continue
		}
		tried++
		if text, retryErr := q.decodeAt(m, other); retryErr == nil {
			return text, nil
		}
	}
	// The first pass's error says best what the frame holds.
	return "", err
}

// decodeAt samples and decodes the symbol whose finder patterns are info.
func (q *qrReader) decodeAt(m *gozxing.BitMatrix, info *detector.FinderPatternInfo) (string, error) {
	det, err := detector.NewDetector(m).ProcessFinderPatternInfo(info)
	if err != nil {
		return "", err
	}
	res, err := q.dec.Decode(det.GetBits(), nil)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// sameTriple reports whether a and b put each corner within a module of
// the other's: the same triangle, already tried.
func sameTriple(a, b *detector.FinderPatternInfo) bool {
	near := func(p, r *detector.FinderPattern) bool {
		s := p.GetEstimatedModuleSize()
		dx, dy := p.GetX()-r.GetX(), p.GetY()-r.GetY()
		return dx*dx+dy*dy <= s*s
	}
	return near(a.GetTopLeft(), b.GetTopLeft()) &&
		near(a.GetTopRight(), b.GetTopRight()) &&
		near(a.GetBottomLeft(), b.GetBottomLeft())
}
