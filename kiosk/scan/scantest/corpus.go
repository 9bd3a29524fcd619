package scantest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
)

// CorpusFrame is one frame of the badge corpus (testdata/scan/corpus.json):
// a named scene of a kind, with the code it shows, if any.
type CorpusFrame struct {
	// Name is unique in the corpus and safe as a file name.
	Name string `json:"name"`
	// Kind groups frames by what makes them hard: plain, small, rotated,
	// inverted, ... and none for frames without a code.
	Kind string `json:"kind"`
	// Symbology is qr, code128, code39 or ean13 (the strings of
	// scan.Format), or empty for a frame without a code.
	Symbology string `json:"symbology,omitempty"`
	// Text is the code's content, which a decoder must read exactly (an
	// EAN-13 is given with its check digit).
	Text  string `json:"text,omitempty"`
	Scene Scene  `json:"scene"`
}

// Corpus is the file's content.
type Corpus struct {
	Frames []CorpusFrame `json:"frames"`
}

var frameName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// LoadCorpus reads and checks a corpus file.
func LoadCorpus(path string) ([]CorpusFrame, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scantest: corpus: %w", err)
	}
	return ParseCorpus(b)
}

// ParseCorpus parses and checks a corpus: unique well-formed names, a
// known symbology with a text for every code frame, none for the others,
// and scenes of a sane size.
func ParseCorpus(b []byte) ([]CorpusFrame, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Corpus
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("scantest: corpus: %w", err)
	}
	if len(c.Frames) == 0 {
		return nil, errors.New("scantest: corpus: no frames")
	}
	seen := map[string]bool{}
	for i, f := range c.Frames {
		if !frameName.MatchString(f.Name) || seen[f.Name] {
			return nil, fmt.Errorf("scantest: corpus: frame %d: name %q is empty, malformed or repeated", i, f.Name)
		}
		seen[f.Name] = true
		if f.Kind == "" {
			return nil, fmt.Errorf("scantest: corpus: frame %s: no kind", f.Name)
		}
		if (f.Symbology == "") != (f.Text == "") {
			return nil, fmt.Errorf("scantest: corpus: frame %s: a code needs both a symbology and a text", f.Name)
		}
		if f.Symbology != "" {
			if _, err := f.Symbol(); err != nil {
				return nil, fmt.Errorf("scantest: corpus: frame %s: %w", f.Name, err)
			}
		}
		s := f.Scene
		if s.Width < 0 || s.Height < 0 || s.Width > 4096 || s.Height > 4096 || s.Size < 0 || s.Blur < 0 || s.Blur > 20 || s.Motion < 0 || s.Motion > 100 {
			return nil, fmt.Errorf("scantest: corpus: frame %s: scene out of range", f.Name)
		}
	}
	return c.Frames, nil
}

// Symbol encodes the frame's code; a frame without a code has none.
func (f CorpusFrame) Symbol() (*Symbol, error) {
	var sym Symbol
	var err error
	switch f.Symbology {
	case "":
		return nil, nil
	case "qr":
		sym, err = QR(f.Text)
	case "code128":
		sym, err = Code128(f.Text)
	case "code39":
		sym, err = Code39(f.Text)
	case "ean13":
		if len(f.Text) != 13 {
			return nil, fmt.Errorf("ean13 %q: want 13 digits, the check digit included", f.Text)
		}
		sym, err = EAN13(f.Text)
	default:
		return nil, fmt.Errorf("unknown symbology %q", f.Symbology)
	}
	if err != nil {
		return nil, err
	}
	return &sym, nil
}

// Render draws the frame.
func (f CorpusFrame) Render() (*image.RGBA, error) {
	sym, err := f.Symbol()
	if err != nil {
		return nil, fmt.Errorf("scantest: corpus: frame %s: %w", f.Name, err)
	}
	return Render(sym, f.Scene), nil
}

// WriteCorpus renders frames into dir as PNG or binary PGM (8-bit gray)
// files named after them, with expected.tsv listing each frame's name,
// kind, symbology and text, and returns the files' paths in frame order.
func WriteCorpus(dir, format string, frames []CorpusFrame) ([]string, error) {
	if format != "png" && format != "pgm" {
		return nil, fmt.Errorf("scantest: corpus: format %q: want png or pgm", format)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("scantest: corpus: %w", err)
	}
	var index bytes.Buffer
	files := make([]string, len(frames))
	for i, f := range frames {
		img, err := f.Render()
		if err != nil {
			return nil, err
		}
		g := Gray(img)
		var b bytes.Buffer
		if format == "pgm" {
			fmt.Fprintf(&b, "P5\n%d %d\n255\n", g.Rect.Dx(), g.Rect.Dy())
			b.Write(g.Pix)
		} else if err := png.Encode(&b, g); err != nil {
			return nil, fmt.Errorf("scantest: corpus: %w", err)
		}
		files[i] = filepath.Join(dir, f.Name+"."+format)
		if err := os.WriteFile(files[i], b.Bytes(), 0o644); err != nil {
			return nil, fmt.Errorf("scantest: corpus: %w", err)
		}
		fmt.Fprintf(&index, "%s\t%s\t%s\t%s\n", f.Name, f.Kind, f.Symbology, f.Text)
	}
	if err := os.WriteFile(filepath.Join(dir, "expected.tsv"), index.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("scantest: corpus: %w", err)
	}
	return files, nil
}

// Gray converts a rendered frame to 8-bit gray with the standard
// library's luma weights (those of the kiosk's own conversion).
func Gray(img *image.RGBA) *image.Gray {
	g := image.NewGray(img.Rect)
	draw.Draw(g, g.Rect, img, img.Rect.Min, draw.Src)
	return g
}
