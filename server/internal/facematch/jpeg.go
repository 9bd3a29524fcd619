package facematch

import (
	"bytes"
	"image/jpeg"

	"punchclock/app/wire"
)

// Limits bound what an image may cost before any of it is decoded.
type Limits struct {
	MaxBytes int64 // body size of one image
	MaxSide  int   // width and height
	MaxScans int   // JPEG scans (SOS markers): progressive bombs have thousands
}

// DefaultLimits fit a kiosk frame (640x480, ~60 kB) and an enrolment photo
// from a phone, with room to spare.
var DefaultLimits = Limits{MaxBytes: 8 << 20, MaxSide: 4096, MaxScans: 64}

// CheckJPEG validates an image before dlib sees it, cheapest check first:
// size, magic, header dimensions (image.DecodeConfig reads only the header,
// so a 50-megapixel image or a "decompression bomb" that claims 60000x60000
// in a few hundred bytes is refused without allocating its pixels), number of
// scans, and finally a full decode in Go, which turns a truncated or corrupt
// file into a clean error instead of leaving it to libjpeg in cgo.
func CheckJPEG(b []byte, lim Limits) error {
	switch {
	case len(b) == 0:
		return wire.Errorf(wire.CodeInvalid, "empty body: send a JPEG image")
	case int64(len(b)) > lim.MaxBytes:
		return wire.Errorf(wire.CodeTooLarge, "image is %d bytes; at most %d", len(b), lim.MaxBytes)
	case len(b) < 3 || b[0] != 0xFF || b[1] != 0xD8 || b[2] != 0xFF:
		return wire.Errorf(wire.CodeInvalid, "not a JPEG image")
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return &wire.Error{Code: wire.CodeInvalid, Message: "malformed JPEG header", Err: err}
	}
	if cfg.Width > lim.MaxSide || cfg.Height > lim.MaxSide {
		return wire.Errorf(wire.CodeTooLarge, "image is %dx%d pixels; at most %dx%d", cfg.Width, cfg.Height, lim.MaxSide, lim.MaxSide)
	}
	if cfg.Width < 32 || cfg.Height < 32 {
		return wire.Errorf(wire.CodeInvalid, "image is %dx%d pixels; too small to show a face", cfg.Width, cfg.Height)
	}
	if n := countScans(b); n > lim.MaxScans {
		return wire.Errorf(wire.CodeInvalid, "JPEG has %d scans; at most %d", n, lim.MaxScans)
	}
	if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
		return &wire.Error{Code: wire.CodeInvalid, Message: "corrupt or truncated JPEG", Err: err}
	}
	return nil
}

// countScans counts SOS markers. Inside entropy-coded data 0xFF is followed
// by 0x00 (stuffing) or a restart marker, so any other 0xFF xx is a marker.
func countScans(b []byte) int {
	n := 0
	for i := 2; i+1 < len(b); i++ {
		if b[i] != 0xFF {
			continue
		}
		switch m := b[i+1]; {
		case m == 0xDA:
			n++
		case m == 0x00 || m == 0xFF || (m >= 0xD0 && m <= 0xD7):
			// stuffing, fill byte or restart marker
		case m == 0xD8 || m == 0xD9 || m == 0x01:
			// markers without a length
		default:
			// A marker segment with a length: skip it, so that bytes inside
			// EXIF or ICC data are not mistaken for markers.
			if i+3 < len(b) {
				l := int(b[i+2])<<8 | int(b[i+3])
				if m != 0xDA {
					i += 1 + l
				}
			}
		}
	}
	return n
}
