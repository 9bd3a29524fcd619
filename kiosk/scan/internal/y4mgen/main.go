// Command y4mgen writes a YUV4MPEG2 video of a badge held in front of a
// camera, for Chromium's fake camera in the kiosk's browser tests:
//
//	go run ./kiosk/scan/internal/y4mgen -text EMP-000123 -o /tmp/badge.y4m
//	chromium --use-fake-device-for-media-stream --use-fake-ui-for-media-stream \
//	    --use-file-for-fake-video-capture=/tmp/badge.y4m ...
//
// Every frame shows the badge (with a little sensor noise and hand jitter)
// because Chromium loops the file: a gap without the badge would make the
// loop look like a second presentation.
package main

import (
	"flag"
	"fmt"
	"image"
	"log"
	"os"

	"punchclock/kiosk/scan/scantest"
)

func main() {
	text := flag.String("text", "EMP-000123", "badge content")
	format := flag.String("format", "qr", "qr or code128")
	frames := flag.Int("frames", 10, "number of frames (30 a second)")
	seed := flag.Uint64("seed", 1, "scene seed")
	out := flag.String("o", "badge.y4m", "output file")
	flag.Parse()
	log.SetFlags(0)
	if err := run(*text, *format, *frames, *seed, *out); err != nil {
		log.Fatal(err)
	}
}

func run(text, format string, n int, seed uint64, out string) error {
	var sym scantest.Symbol
	var err error
	switch format {
	case "qr":
		sym, err = scantest.QR(text)
	case "code128":
		sym, err = scantest.Code128(text)
	default:
		return fmt.Errorf("y4mgen: unknown format %q", format)
	}
	if err != nil {
		return err
	}
	var imgs []image.Image
	for i := range n {
		s := scantest.Camera(seed + uint64(i))
		// A hand is never still: drift a pixel or two and a fraction of a
		// degree from frame to frame.
		s.X += float64(i%3) * 0.002
		s.Angle += float64(i%4) * 0.3
		imgs = append(imgs, scantest.Render(&sym, s))
	}
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("y4mgen: %w", err)
	}
	if err := scantest.WriteY4M(f, imgs); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
