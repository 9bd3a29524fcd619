//go:build js && wasm

package pages

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// browserFile makes a browser File of data, as a file input gives one.
func browserFile(data []byte, name, kind string) app.Value {
	u8 := app.Window().Get("Uint8Array").New(len(data))
	app.CopyBytesToJS(u8, data)
	return app.Window().Get("File").New(app.Window().Get("Array").New(u8), name, app.ValueOf(map[string]any{"type": kind}))
}

// TestReadPhoto, in Chromium: a photo that fits is sent as chosen, byte
// for byte; one larger than MaxProof is redrawn by the browser as a JPEG
// of at most photoSide pixels on its long side, under MaxProof.
func TestReadPhoto(t *testing.T) {
	small := image.NewRGBA(image.Rect(0, 0, 40, 30))
	small.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var sb bytes.Buffer
	png.Encode(&sb, small)
	data, kind, err := readPhoto(browserFile(sb.Bytes(), "pass.png", "image/png"))
	if err != nil || kind != "image/png" || !bytes.Equal(data, sb.Bytes()) {
		t.Fatalf("a small photo: %d bytes, %q, %v", len(data), kind, err)
	}

	// Stored uncompressed, 2600 x 600 opaque pixels make a PNG of about
	// 4.7 MB, as large as a camera's photo.
	big := image.NewNRGBA(image.Rect(0, 0, 2600, 600))
	for i := 0; i < len(big.Pix); i += 4 {
		big.Pix[i], big.Pix[i+1], big.Pix[i+2], big.Pix[i+3] = byte(i>>4), byte(i>>12), 90, 255
	}
	var bb bytes.Buffer
	(&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&bb, big)
	if bb.Len() <= MaxProof {
		t.Fatalf("the large photo is only %d bytes", bb.Len())
	}
	data, kind, err = readPhoto(browserFile(bb.Bytes(), "camera.png", "image/png"))
	if err != nil || kind != "image/jpeg" || len(data) > MaxProof {
		t.Fatalf("a large photo: %d bytes, %q, %v", len(data), kind, err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width != 2048 || cfg.Height != 473 {
		t.Errorf("the shrunk photo: %dx%d, %v", cfg.Width, cfg.Height, err)
	}

	// What the browser cannot draw is refused before anything is sent.
	junk := bytes.Repeat([]byte("not a photo "), MaxProof/10)
	if _, _, err := readPhoto(browserFile(junk, "junk.png", "image/png")); err != ErrProofLarge {
		t.Errorf("a large file that is no image: %v", err)
	}
}
