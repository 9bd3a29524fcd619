// Package photo reads the photos a person chooses in the browser (a file
// input, the camera of a phone or tablet): as they are, or redrawn by the
// browser as a JPEG of a bounded size. Redrawing also turns a photo the
// way it was taken (the browser applies its EXIF orientation, which a
// face detector reading the raw pixels would not) and makes a PNG, HEIC
// or WebP the browser can show a JPEG.
//
// The functions block on the browser's promises: call them from
// ctx.Async, never from an event handler.
package photo

import (
	"errors"
	"math"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// ErrNotImage is a file the browser cannot draw: not an image, or broken.
var ErrNotImage = errors.New("photo: the browser cannot draw this file as an image")

// Fit is the size a photo of w x h pixels is redrawn at: at most side on
// its long side, never enlarged.
func Fit(w, h, side int) (int, int) {
	if w <= 0 || h <= 0 || max(w, h) <= side {
		return w, h
	}
	scale := float64(side) / float64(max(w, h))
	return max(1, int(math.Round(float64(w)*scale))), max(1, int(math.Round(float64(h)*scale)))
}

// Bytes reads file (a browser File or Blob) as it is.
func Bytes(file app.Value) ([]byte, error) {
	buf, err := Await(file.Call("arrayBuffer"))
	if err != nil {
		return nil, err
	}
	return goBytes(buf), nil
}

// Redraw draws file (a browser File) as a JPEG of at most side pixels on
// its long side, at quality (0 to 1), turned as it was taken.
func Redraw(file app.Value, side int, quality float64) ([]byte, error) {
	bmp, err := Await(app.Window().Call("createImageBitmap", file))
	if err != nil {
		return nil, ErrNotImage
	}
	w, h := Fit(bmp.Get("width").Int(), bmp.Get("height").Int(), side)
	canvas := app.Window().Get("document").Call("createElement", "canvas")
	canvas.Set("width", w)
	canvas.Set("height", h)
	canvas.Call("getContext", "2d").Call("drawImage", bmp, 0, 0, w, h)
	bmp.Call("close")
	var toBlob app.Func
	toBlob = app.FuncOf(func(_ app.Value, args []app.Value) any {
		canvas.Call("toBlob", args[0], "image/jpeg", quality)
		return nil
	})
	blob, err := Await(app.Window().Get("Promise").New(toBlob))
	toBlob.Release()
	if err != nil || !blob.Truthy() {
		return nil, ErrNotImage
	}
	return Bytes(blob)
}

// Await waits for a JavaScript promise and returns its value, or its
// rejection as an error.
func Await(promise app.Value) (app.Value, error) {
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
