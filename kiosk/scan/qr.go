package scan

import (
	"slices"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
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

// decode returns the text of the QR code in the thresholded frame m.
func (q *qrReader) decode(m *gozxing.BitMatrix) (string, error) {
	finder := detector.NewFinderPatternFinder(m, nil)
	info, findErr := finder.Find(nil)
	if findErr != nil {
		return "", findErr
	}
	text, err := q.decodeAt(m, info)
	if err == nil {
		return text, nil
	}
	if text, skewErr := q.decodeSkewed(m, info); skewErr == nil {
		return text, nil
	}
	if !finder.HaveMultiplyConfirmedCenters() {
		// The search looked at the whole frame and chose the best
		// triangle of all it found: nothing more to look at.
		return "", err
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

// skewReach is how far, in modules either way along each side, the
// skewed retry moves the guessed fourth corner.
const skewReach = 2

// decodeSkewed retries a symbol seen in perspective. Without an alignment
// pattern (version 1, the size of a short badge code) gozxing places the
// fourth corner where it would be if the code were a parallelogram; a
// badge tilted towards or away from the camera puts it a few modules off,
// and the grid sampled from there reads garbage towards that corner. So
// this tries fourth corners around the guess, nearest first, as version 1
// and as version 2 (perspective skews the estimate of the size too, and a
// version 2 symbol's small alignment pattern is easily missed). Each try
// samples a grid and reads its format information, which rejects a wrong
// grid quickly.
func (q *qrReader) decodeSkewed(m *gozxing.BitMatrix, info *detector.FinderPatternInfo) (string, error) {
	tl, tr, bl := info.GetTopLeft(), info.GetTopRight(), info.GetBottomLeft()
	size := (tl.GetEstimatedModuleSize() + tr.GetEstimatedModuleSize() + bl.GetEstimatedModuleSize()) / 3
	if size < 1 {
		return "", gozxing.NewNotFoundException()
	}
	est := (gozxing.ResultPoint_Distance(tl, tr)+gozxing.ResultPoint_Distance(tl, bl))/(2*size) + 7
	base := int(est+0.5) - 1
	base -= base % 4
	base++ // 4k+1: 21, 25, 29, ...
	// Versions from 2 up have an alignment pattern, which gozxing uses to
	// follow perspective; and a triangle of wildly different module sizes
	// or sides is no code's corners (noise finds such triples).
	sizes := []float64{tl.GetEstimatedModuleSize(), tr.GetEstimatedModuleSize(), bl.GetEstimatedModuleSize()}
	sides := gozxing.ResultPoint_Distance(tl, tr) / gozxing.ResultPoint_Distance(tl, bl)
	if base > 29 || slices.Max(sizes) > 2*slices.Min(sizes) || sides < 0.5 || sides > 2 {
		return "", gozxing.NewNotFoundException()
	}
	var err error = gozxing.NewNotFoundException()
	dims := []int{21, 25}
	if base > 21 {
		dims = []int{25, 21}
	}
	for _, dim := range dims {
		span := float64(dim - 7) // modules between finder centres
		ux, uy := (tr.GetX()-tl.GetX())/span, (tr.GetY()-tl.GetY())/span
		vx, vy := (bl.GetX()-tl.GetX())/span, (bl.GetY()-tl.GetY())/span
		brX, brY := tr.GetX()-tl.GetX()+bl.GetX(), tr.GetY()-tl.GetY()+bl.GetY()
		far := float64(dim) - 3.5
		for ring := 0; ring <= skewReach; ring++ {
			for a := -ring; a <= ring; a++ {
				for b := -ring; b <= ring; b++ {
					if max(abs(a), abs(b)) != ring {
						continue
					}
					x := brX + float64(a)*ux + float64(b)*vx
					y := brY + float64(a)*uy + float64(b)*vy
					t := common.PerspectiveTransform_QuadrilateralToQuadrilateral(
						3.5, 3.5, far, 3.5, far, far, 3.5, far,
						tl.GetX(), tl.GetY(), tr.GetX(), tr.GetY(), x, y, bl.GetX(), bl.GetY())
					bits, sampleErr := detector.Detector_sampleGrid(m, t, dim)
					if sampleErr != nil {
						continue
					}
					res, decErr := q.dec.Decode(bits, nil)
					if decErr == nil {
						return res.GetText(), nil
					}
					err = decErr
				}
			}
		}
	}
	return "", err
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}
