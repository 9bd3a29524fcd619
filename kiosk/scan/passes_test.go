package scan

import (
	"testing"

	"punchclock/kiosk/scan/scantest"
)

// TestFirstPasses pins the cost structure the pass order is for: a plain
// badge is read by the cheap pass meant for its symbology, so that it
// never pays for the retries.
func TestFirstPasses(t *testing.T) {
	frames, err := scantest.LoadCorpus("../../testdata/scan/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"qr": "qr half size", "code128": "gray rows", "ean13": "gray rows", "code39": "rows"}
	d := NewDecoder()
	n := 0
	for _, f := range frames {
		if f.Kind != "plain" {
			continue
		}
		n++
		img, err := f.Render()
		if err != nil {
			t.Fatal(err)
		}
		d.readBy = ""
		res, err := d.DecodeRGBA(img.Pix, img.Rect.Dx(), img.Rect.Dy())
		if err != nil || res.Text != f.Text {
			t.Errorf("%s: Decode = %+v, %v; want %q", f.Name, res, err, f.Text)
			continue
		}
		if d.readBy != want[f.Symbology] {
			t.Errorf("%s: read by pass %q, want %q", f.Name, d.readBy, want[f.Symbology])
		}
	}
	if n < 4 {
		t.Fatalf("%d plain frames in the corpus, want at least 4", n)
	}
}
