package pages

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/photo"
)

// A proof photo as the phone sends it: the file chosen as it is when it
// fits (MaxProof), else redrawn by the browser as a JPEG of at most
// photoSide pixels on its long side, as a phone camera's 12-megapixel
// photo of 5 MB or more would not be taken.

// photoSide is the long side of a photo the phone shrinks, in pixels:
// a boarding pass or a ticket stays readable.
const photoSide = 2048

// photoQuality is the JPEG quality of a shrunk photo.
const photoQuality = 0.85

// readPhoto returns the bytes and type of file (a browser File) to send
// as a proof. It blocks on the browser's promises, so call it from
// ctx.Async, never from an event handler.
func readPhoto(file app.Value) ([]byte, string, error) {
	kind := file.Get("type").String()
	if file.Get("size").Int() <= MaxProof {
		data, err := photo.Bytes(file)
		if err != nil {
			return nil, "", ErrProofEmpty
		}
		return data, kind, nil
	}
	data, err := photo.Redraw(file, photoSide, photoQuality)
	if err != nil {
		// Not an image the browser can draw: the server says so better.
		return nil, "", ErrProofLarge
	}
	return data, "image/jpeg", nil
}
