package scan_test

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"testing"

	"punchclock/kiosk/scan"
	"punchclock/kiosk/scan/scantest"
)

// scene returns the default camera scene for seed with f applied, so each
// table row states only what it varies.
func scene(seed uint64, f func(*scantest.Scene)) scantest.Scene {
	s := scantest.Camera(seed)
	if f != nil {
		f(&s)
	}
	return s
}

func TestDecodeQR(t *testing.T) {
	const badge = "EMP-000123"
	tests := []struct {
		name  string
		text  string
		scene scantest.Scene
	}{
		{"camera", badge, scene(1, nil)},
		{"clean centred", badge, scantest.Scene{X: 0.5, Y: 0.5}},
		{"rotated 12", badge, scene(2, func(s *scantest.Scene) { s.Angle = 12 })},
		{"rotated -20", badge, scene(3, func(s *scantest.Scene) { s.Angle = -20 })},
		{"upside down", badge, scene(4, func(s *scantest.Scene) { s.Angle = 180 })},
		{"blur 2", badge, scene(5, func(s *scantest.Scene) { s.Blur = 2 })},
		{"noisy", badge, scene(6, func(s *scantest.Scene) { s.Noise = 14 })},
		{"dim and flat", badge, scene(7, func(s *scantest.Scene) { s.Brightness, s.Contrast = -60, 0.5 })},
		{"bright", badge, scene(8, func(s *scantest.Scene) { s.Brightness = 50 })},
		{"small", badge, scene(9, func(s *scantest.Scene) { s.Size = 110 })},
		{"close", badge, scene(10, func(s *scantest.Scene) { s.Size = 320; s.X, s.Y = 0.5, 0.5 })},
		{"top left", badge, scene(11, func(s *scantest.Scene) { s.X, s.Y = 0.2, 0.28 })},
		{"bottom right", badge, scene(12, func(s *scantest.Scene) { s.X, s.Y = 0.8, 0.72 })},
		{"phone url", "https://punch.example.com/p?k=kiosk-7&t=Zm9vYmFyYmF6cXV4MTIzNDU2", scene(13, func(s *scantest.Scene) { s.Size = 220 })},
	}
	d := scan.NewDecoder()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := scantest.RenderQR(tt.text, tt.scene)
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.Decode(img)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if want := (scan.Result{Text: tt.text, Format: scan.FormatQR}); got != want {
				t.Errorf("Decode = %+v, want %+v", got, want)
			}
		})
	}
}

func TestDecode1D(t *testing.T) {
	tests := []struct {
		name  string
		sym   func() (scantest.Symbol, error)
		scene scantest.Scene
		want  scan.Result
	}{
		{"code128 camera", code128("EMP-000123"), scene(21, nil), scan.Result{Text: "EMP-000123", Format: scan.FormatCode128}},
		{"code128 clean", code128("EMP-000123"), scantest.Scene{X: 0.5, Y: 0.5}, scan.Result{Text: "EMP-000123", Format: scan.FormatCode128}},
		{"code128 numeric", code128("0012345678"), scene(22, nil), scan.Result{Text: "0012345678", Format: scan.FormatCode128}},
		{"code128 rotated -6", code128("EMP-000123"), scene(23, func(s *scantest.Scene) { s.Angle = -6 }), scan.Result{Text: "EMP-000123", Format: scan.FormatCode128}},
		{"code128 upside down", code128("EMP-000123"), scene(24, func(s *scantest.Scene) { s.Angle = 180 }), scan.Result{Text: "EMP-000123", Format: scan.FormatCode128}},
		{"code128 noisy", code128("EMP-000123"), scene(25, func(s *scantest.Scene) { s.Noise = 10 }), scan.Result{Text: "EMP-000123", Format: scan.FormatCode128}},
		{"code128 dim", code128("EMP-000123"), scene(26, func(s *scantest.Scene) { s.Brightness, s.Contrast = -50, 0.6 }), scan.Result{Text: "EMP-000123", Format: scan.FormatCode128}},
		{"code128 held high", code128("EMP-000123"), scene(27, func(s *scantest.Scene) { s.Y = 0.3 }), scan.Result{Text: "EMP-000123", Format: scan.FormatCode128}},
		{"code128 held low", code128("EMP-000123"), scene(28, func(s *scantest.Scene) { s.Y = 0.8 }), scan.Result{Text: "EMP-000123", Format: scan.FormatCode128}},
		{"code39", func() (scantest.Symbol, error) { return scantest.Code39("EMP123") }, scene(29, func(s *scantest.Scene) { s.Size = 300 }), scan.Result{Text: "EMP123", Format: scan.FormatCode39}},
		{"ean13", func() (scantest.Symbol, error) { return scantest.EAN13("590123412345") }, scene(30, func(s *scantest.Scene) { s.Size = 260 }), scan.Result{Text: "5901234123457", Format: scan.FormatEAN13}},
	}
	d := scan.NewDecoder()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sym, err := tt.sym()
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.Decode(scantest.Render(&sym, tt.scene))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got != tt.want {
				t.Errorf("Decode = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func code128(text string) func() (scantest.Symbol, error) {
	return func() (scantest.Symbol, error) { return scantest.Code128(text) }
}

// TestDecodeImageTypes checks that every fast path of the gray conversion,
// and the generic one, read the same frame, including a sub-image whose
// bounds do not start at the origin.
func TestDecodeImageTypes(t *testing.T) {
	const text = "EMP-000777"
	rgba, err := scantest.RenderQR(text, scene(40, nil))
	if err != nil {
		t.Fatal(err)
	}
	b := rgba.Bounds()
	convert := func(dst draw.Image) image.Image {
		draw.Draw(dst, b, rgba, b.Min, draw.Src)
		return dst
	}
	ycbcr := image.NewYCbCr(b, image.YCbCrSubsampleRatio420)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			ycbcr.Y[ycbcr.YOffset(x, y)] = color.GrayModel.Convert(rgba.At(x, y)).(color.Gray).Y
		}
	}
	for i := range ycbcr.Cb {
		ycbcr.Cb[i], ycbcr.Cr[i] = 128, 128
	}
	// A larger canvas with the frame in its lower right quarter.
	big := image.NewRGBA(image.Rect(0, 0, 2*b.Dx(), 2*b.Dy()))
	draw.Draw(big, b.Add(b.Size()), rgba, b.Min, draw.Src)

	tests := []struct {
		name string
		img  image.Image
	}{
		{"RGBA", rgba},
		{"NRGBA", convert(image.NewNRGBA(b))},
		{"Gray", convert(image.NewGray(b))},
		{"Gray16 (generic path)", convert(image.NewGray16(b))},
		{"Paletted", convert(image.NewPaletted(b, grayPalette()))},
		{"YCbCr", ycbcr},
		{"RGBA sub-image", big.SubImage(b.Add(b.Size()))},
	}
	d := scan.NewDecoder()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := d.Decode(tt.img)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if want := (scan.Result{Text: text, Format: scan.FormatQR}); got != want {
				t.Errorf("Decode = %+v, want %+v", got, want)
			}
		})
	}

	t.Run("DecodeRGBA", func(t *testing.T) {
		got, err := d.DecodeRGBA(rgba.Pix, b.Dx(), b.Dy())
		if err != nil || got.Text != text {
			t.Errorf("DecodeRGBA = %+v, %v; want %q", got, err, text)
		}
	})
	t.Run("DecodeGray", func(t *testing.T) {
		g := convert(image.NewGray(b)).(*image.Gray)
		got, err := d.DecodeGray(g.Pix, b.Dx(), b.Dy())
		if err != nil || got.Text != text {
			t.Errorf("DecodeGray = %+v, %v; want %q", got, err, text)
		}
	})
}

func grayPalette() color.Palette {
	p := make(color.Palette, 256)
	for i := range p {
		p[i] = color.Gray{Y: uint8(i)}
	}
	return p
}

// TestDecodeNotFound covers the kiosk's common case, nobody in front of the
// camera, and frames of pure noise, the worst case for pattern searches.
// None may yield a code, and the error must be ErrNotFound.
func TestDecodeNotFound(t *testing.T) {
	tests := []struct {
		name string
		img  image.Image
	}{
		{"uniform gray", image.NewUniform(color.Gray{Y: 128})},
		{"black", image.NewRGBA(image.Rect(0, 0, 640, 480))},
	}
	for seed := uint64(0); seed < 4; seed++ {
		tests = append(tests,
			struct {
				name string
				img  image.Image
			}{"empty scene", scantest.Empty(scene(100+seed, nil))},
			struct {
				name string
				img  image.Image
			}{"noise", scantest.Noise(200+seed, 640, 480)},
		)
	}
	d := scan.NewDecoder()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := tt.img
			if u, ok := img.(*image.Uniform); ok {
				g := image.NewGray(image.Rect(0, 0, 640, 480))
				draw.Draw(g, g.Bounds(), u, image.Point{}, draw.Src)
				img = g
			}
			got, err := d.Decode(img)
			if !errors.Is(err, scan.ErrNotFound) {
				t.Fatalf("Decode = %+v, %v; want ErrNotFound", got, err)
			}
			if got != (scan.Result{}) {
				t.Errorf("Decode result = %+v, want zero", got)
			}
		})
	}
}

// TestDecodeUnreadable damages a QR beyond its error correction: the
// decoder finds it but cannot read it, and says so distinctly while still
// matching ErrNotFound.
func TestDecodeUnreadable(t *testing.T) {
	sym, err := scantest.QR("EMP-000123")
	if err != nil {
		t.Fatal(err)
	}
	// Invert the data area between the finder patterns, which keeps the
	// code detectable but leaves nothing Reed-Solomon can repair.
	n := len(sym.Dark)
	for y := 4 + 9; y < n-4-9; y++ {
		for x := 4; x < n-4; x++ {
			sym.Dark[y][x] = !sym.Dark[y][x]
		}
	}
	_, err = scan.NewDecoder().Decode(scantest.Render(&sym, scantest.Scene{X: 0.5, Y: 0.5}))
	if !errors.Is(err, scan.ErrUnreadable) || !errors.Is(err, scan.ErrNotFound) {
		t.Errorf("Decode error = %v, want ErrUnreadable and ErrNotFound", err)
	}
}

func TestDecodeBadFrame(t *testing.T) {
	tests := []struct {
		name          string
		pix           []byte
		width, height int
	}{
		{"short buffer", make([]byte, 640*480*4-1), 640, 480},
		{"zero width", make([]byte, 16), 0, 4},
		{"negative height", make([]byte, 16), 4, -1},
		{"overflowing size", make([]byte, 16), 1 << 40, 1 << 40},
		{"nil pixels", nil, 640, 480},
	}
	d := scan.NewDecoder()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := d.DecodeRGBA(tt.pix, tt.width, tt.height); !errors.Is(err, scan.ErrBadFrame) {
				t.Errorf("DecodeRGBA error = %v, want ErrBadFrame", err)
			}
			if _, err := d.DecodeGray(tt.pix, tt.width, tt.height*4); !errors.Is(err, scan.ErrBadFrame) {
				t.Errorf("DecodeGray error = %v, want ErrBadFrame", err)
			}
		})
	}
	if _, err := d.Decode(image.NewRGBA(image.Rectangle{})); !errors.Is(err, scan.ErrBadFrame) {
		t.Errorf("Decode(empty image) error = %v, want ErrBadFrame", err)
	}
}

// TestDecoderReuse checks that the buffers a Decoder keeps between frames
// carry nothing over: a code, then an empty frame, then a smaller frame,
// then the code again.
func TestDecoderReuse(t *testing.T) {
	qr, err := scantest.RenderQR("EMP-000123", scene(50, nil))
	if err != nil {
		t.Fatal(err)
	}
	small, err := scantest.RenderQR("EMP-000456", scantest.Scene{Width: 320, Height: 240, X: 0.5, Y: 0.5, Size: 120})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		img  image.Image
		want string
	}{
		{qr, "EMP-000123"},
		{scantest.Empty(scene(51, nil)), ""},
		{small, "EMP-000456"},
		{qr, "EMP-000123"},
	}
	d := scan.NewDecoder()
	for i, s := range steps {
		got, err := d.Decode(s.img)
		if s.want == "" {
			if !errors.Is(err, scan.ErrNotFound) {
				t.Errorf("step %d: Decode = %+v, %v; want ErrNotFound", i, got, err)
			}
			continue
		}
		if err != nil || got.Text != s.want {
			t.Errorf("step %d: Decode = %+v, %v; want %q", i, got, err, s.want)
		}
	}
}

func TestNewDecoderFormats(t *testing.T) {
	qr, err := scantest.RenderQR("EMP-000123", scene(60, nil))
	if err != nil {
		t.Fatal(err)
	}
	c128, err := scantest.RenderCode128("EMP-000123", scene(61, nil))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		formats []scan.Format
		img     image.Image
		want    scan.Format // "" means not found
	}{
		{"all reads qr", nil, qr, scan.FormatQR},
		{"all reads code128", nil, c128, scan.FormatCode128},
		{"qr only reads qr", []scan.Format{scan.FormatQR}, qr, scan.FormatQR},
		{"qr only ignores code128", []scan.Format{scan.FormatQR}, c128, ""},
		{"code128 only ignores qr", []scan.Format{scan.FormatCode128}, qr, ""},
		{"code128 only reads code128", []scan.Format{scan.FormatCode128}, c128, scan.FormatCode128},
		{"ean only ignores both", []scan.Format{scan.FormatEAN13}, c128, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scan.NewDecoder(tt.formats...).Decode(tt.img)
			if tt.want == "" {
				if !errors.Is(err, scan.ErrNotFound) {
					t.Errorf("Decode = %+v, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil || got.Format != tt.want {
				t.Errorf("Decode = %+v, %v; want format %q", got, err, tt.want)
			}
		})
	}
}
