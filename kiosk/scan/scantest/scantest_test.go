package scantest_test

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"io"
	"strings"
	"testing"

	"punchclock/kiosk/scan"
	"punchclock/kiosk/scan/scantest"
)

func TestRenderDeterministic(t *testing.T) {
	a, err := scantest.RenderQR("EMP-000123", scantest.Camera(7))
	if err != nil {
		t.Fatal(err)
	}
	b, err := scantest.RenderQR("EMP-000123", scantest.Camera(7))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Error("same scene rendered different pixels")
	}
	c, err := scantest.RenderQR("EMP-000123", scantest.Camera(8))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Pix, c.Pix) {
		t.Error("different seeds rendered identical pixels")
	}
	if got, want := a.Bounds(), image.Rect(0, 0, 640, 480); got != want {
		t.Errorf("frame bounds = %v, want %v", got, want)
	}
}

// TestWriteY4M writes a short badge video the way the kiosk's browser test
// feeds Chromium's fake camera, then reads it back: the header must be the
// one Chromium accepts, every frame must have its marker and 640*480*3/2
// bytes, and the luma plane must still decode to the badge.
func TestWriteY4M(t *testing.T) {
	const text = "EMP-000123"
	var frames []image.Image
	for i := range 3 {
		s := scantest.Camera(uint64(i))
		s.Angle = float64(2 * i)
		img, err := scantest.RenderQR(text, s)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, img)
	}
	var buf bytes.Buffer
	if err := scantest.WriteY4M(&buf, frames); err != nil {
		t.Fatal(err)
	}

	r := bufio.NewReader(&buf)
	header, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if got, want := header, "YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg\n"; got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
	const w, h = 640, 480
	frameSize := w*h + 2*(w/2)*(h/2)
	d := scan.NewDecoder()
	n := 0
	for ; ; n++ {
		marker, err := r.ReadString('\n')
		if err == io.EOF && marker == "" {
			break
		}
		if err != nil {
			t.Fatalf("frame %d marker: %v", n, err)
		}
		if marker != "FRAME\n" {
			t.Fatalf("frame %d marker = %q, want %q", n, marker, "FRAME\n")
		}
		data := make([]byte, frameSize)
		if _, err := io.ReadFull(r, data); err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		for i, c := range data[w*h:] {
			if c != 128 {
				t.Fatalf("frame %d: chroma byte %d = %d, want 128", n, i, c)
			}
		}
		got, err := d.DecodeGray(data[:w*h], w, h)
		if err != nil || got.Text != text {
			t.Errorf("frame %d: luma decodes to %+v, %v; want %q", n, got, err, text)
		}
	}
	if got, want := n, len(frames); got != want {
		t.Errorf("read %d frames, want %d", got, want)
	}
}

func TestWriteY4MErrors(t *testing.T) {
	tests := []struct {
		name   string
		frames []image.Image
		want   string
	}{
		{"no frames", nil, "no frames"},
		{"mixed sizes", []image.Image{image.NewGray(image.Rect(0, 0, 4, 4)), image.NewGray(image.Rect(0, 0, 4, 6))}, "frame 1 is 4x6"},
		{"empty frame", []image.Image{image.NewGray(image.Rectangle{})}, "empty frame"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := scantest.WriteY4M(io.Discard, tt.frames)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("WriteY4M error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func ExampleWriteY4M() {
	img, err := scantest.RenderQR("EMP-000123", scantest.Camera(1))
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	// Chromium loops the file; one frame is enough for a badge held still.
	if err := scantest.WriteY4M(&buf, []image.Image{img}); err != nil {
		panic(err)
	}
	fmt.Println(buf.Len())
	// Output: 460849
}
