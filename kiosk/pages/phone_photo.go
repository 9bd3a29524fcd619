package pages

import (
	"errors"
	"math"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
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

// shrinkSize is the size a photo of w x h pixels is redrawn at: at most
// side on its long side, never enlarged.
func shrinkSize(w, h, side int) (int, int) {
	if w <= 0 || h <= 0 || max(w, h) <= side {
		return w, h
	}
	scale := float64(side) / float64(max(w, h))
	return max(1, int(math.Round(float64(w)*scale))), max(1, int(math.Round(float64(h)*scale)))
}

// readPhoto returns the bytes and type of file (a browser File) to send
// as a proof. It blocks on the browser's promises, so call it from
// ctx.Async, never from an event handler.
func readPhoto(file app.Value) ([]byte, string, error) {
	kind := file.Get("type").String()
	if file.Get("size").Int() <= MaxProof {
		buf, err := await(file.Call("arrayBuffer"))
		if err != nil {
			return nil, "", ErrProofEmpty
		}
		return goBytes(buf), kind, nil
	}
	bmp, err := await(app.Window().Call("createImageBitmap", file))
	if err != nil {
		// Not an image the browser can draw: the server says so better.
		return nil, "", ErrProofLarge
	}
	w, h := shrinkSize(bmp.Get("width").Int(), bmp.Get("height").Int(), photoSide)
	canvas := app.Window().Get("document").Call("createElement", "canvas")
	canvas.Set("width", w)
	canvas.Set("height", h)
	canvas.Call("getContext", "2d").Call("drawImage", bmp, 0, 0, w, h)
	bmp.Call("close")
	var toBlob app.Func
	toBlob = app.FuncOf(func(_ app.Value, args []app.Value) any {
		canvas.Call("toBlob", args[0], "image/jpeg", photoQuality)
		return nil
	})
	blob, err := await(app.Window().Get("Promise").New(toBlob))
	toBlob.Release()
	if err != nil || !blob.Truthy() {
		return nil, "", ErrProofLarge
	}
	buf, err := await(blob.Call("arrayBuffer"))
	if err != nil {
		return nil, "", ErrProofLarge
	}
	return goBytes(buf), "image/jpeg", nil
}

// await waits for a JavaScript promise and returns its value, or its
// rejection as an error.
func await(promise app.Value) (app.Value, error) {
	type result struct {
		v   app.Value
		err error
	}
	ch := make(chan result, 1)
	ok := app.FuncOf(func(_ app.Value, args []app.Value) any {
		var v app.Value = app.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- result{v: v}
		return nil
	})
	fail := app.FuncOf(func(_ app.Value, args []app.Value) any {
		msg := "rejected"
		if len(args) > 0 {
			msg = args[0].Call("toString").String()
		}
		ch <- result{err: errors.New(msg)}
		return nil
	})
	defer ok.Release()
	defer fail.Release()
	promise.Call("then", ok, fail)
	r := <-ch
	return r.v, r.err
}

// goBytes copies an ArrayBuffer into Go.
func goBytes(buf app.Value) []byte {
	u8 := app.Window().Get("Uint8Array").New(buf)
	data := make([]byte, u8.Length())
	app.CopyBytesToGo(data, u8)
	return data
}
