package pages

import (
	"errors"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/kiosk/scan"
)

// Frame grabbing. About ten frames a second is plenty for a badge held up
// for a second, and leaves the single wasm thread time to draw the screen.
// A frame that took long to decode (a busy scene, a slow or loaded tablet)
// is followed by a pause of twice its time, so decoding never takes more
// than a third of the thread the page, the syncer and the face service
// share: on a loaded machine the page stays responsive and punches still
// sync, at fewer frames a second (see grabPause).
const (
	grabEvery = 100 * time.Millisecond
	// grabWidth caps the frame width handed to the decoder: the decoder is
	// tuned for 640x480, and a 1080p camera would cost four times as much
	// for no better read at badge distance.
	grabWidth = 640
	// unreadableAfter is how many unreadable frames in a row make the
	// kiosk say "hold still": one alone is noise (see scan.ErrUnreadable).
	unreadableAfter = 15
)

// camera is the live preview's stream.
type camera struct {
	stream  app.Value
	err     error
	stopped bool
	asked   time.Time // when the page asked for the camera
}

// stop ends the stream so the camera light goes off.
func (c *camera) stop() {
	c.stopped = true
	if c.stream == nil || !c.stream.Truthy() {
		return
	}
	tracks := c.stream.Call("getTracks")
	for i := 0; i < tracks.Length(); i++ {
		tracks.Index(i).Call("stop")
	}
}

// startCamera asks for the camera, shows it in the preview and starts the
// scanning loop. It runs on the UI goroutine once the kiosk screen (and
// so the video element) is in the page.
func (k *Kiosk) startCamera(ctx app.Context) {
	if k.cam != nil {
		return
	}
	cam := &camera{asked: time.Now()}
	k.cam = cam
	md := app.Window().Get("navigator").Get("mediaDevices")
	if !md.Truthy() || !md.Get("getUserMedia").Truthy() {
		cam.err = errors.New("this page has no camera access (it needs https or localhost)")
		return
	}
	constraints := map[string]any{
		"audio": false,
		"video": map[string]any{
			"width":  map[string]any{"ideal": grabWidth},
			"height": map[string]any{"ideal": 480},
		},
	}
	var ok, fail app.Func
	release := func() { ok.Release(); fail.Release() }
	ok = app.FuncOf(func(this app.Value, args []app.Value) any {
		stream := args[0]
		ctx.Dispatch(func(ctx app.Context) {
			release()
			cam.stream = stream
			if cam.stopped {
				cam.stop()
				return
			}
			video := app.Window().GetElementByID("camera")
			video.Set("srcObject", stream)
			video.Call("play")
			k.scanLoop(ctx)
		})
		return nil
	})
	fail = app.FuncOf(func(this app.Value, args []app.Value) any {
		msg := "camera refused"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Get("name").String() + ": " + args[0].Get("message").String()
		}
		ctx.Dispatch(func(ctx app.Context) {
			release()
			cam.err = errors.New(msg)
		})
		return nil
	})
	md.Call("getUserMedia", constraints).Call("then", ok, fail)
}

// scanLoop grabs frames from the preview into a canvas, copies the pixels
// into Go and decodes them; a decoded code goes to handleCode.
func (k *Kiosk) scanLoop(ctx app.Context) {
	sc := k.sc
	ctx.Async(func() {
		doc := app.Window().Get("document")
		canvas := doc.Call("createElement", "canvas")
		u8 := app.Window().Get("Uint8Array")
		perf := app.Window().Get("performance")
		var g2d app.Value
		dec := scan.NewDecoder()
		var buf []byte
		unreadable, frames, reads := 0, 0, 0
		// grab decodes the camera's current frame, if there is one.
		grab := func() {
			video := app.Window().GetElementByID("camera")
			// HAVE_CURRENT_DATA (2): a frame can be drawn.
			if !video.Truthy() || video.Get("readyState").Int() < 2 {
				return
			}
			vw, vh := video.Get("videoWidth").Int(), video.Get("videoHeight").Int()
			if vw == 0 || vh == 0 {
				return
			}
			w, h := vw, vh
			if w > grabWidth {
				w, h = grabWidth, vh*grabWidth/vw
			}
			if g2d == nil || canvas.Get("width").Int() != w || canvas.Get("height").Int() != h {
				canvas.Set("width", w)
				canvas.Set("height", h)
				// willReadFrequently keeps the canvas in memory, where
				// getImageData does not stall on a GPU readback.
				g2d = canvas.Call("getContext", "2d", map[string]any{"willReadFrequently": true})
			}
			g2d.Call("drawImage", video, 0, 0, w, h)
			data := g2d.Call("getImageData", 0, 0, w, h).Get("data")
			n := w * h * 4
			if cap(buf) < n {
				buf = make([]byte, n)
			}
			buf = buf[:n]
			app.CopyBytesToGo(buf, u8.New(data.Get("buffer"), data.Get("byteOffset"), n))
			res, err := dec.DecodeRGBA(buf, w, h)
			k.faceMotion(buf, w, h)
			// The debouncer counts the frames looked at: a badge is out of
			// view only once frames have shown it gone (scan.Debouncer).
			sc.mu.Lock()
			sc.debouncer.Looked()
			sc.mu.Unlock()
			frames++
			// Counters on the element itself (not component state, which
			// would redraw the page ten times a second) tell a test or a
			// technician that frames flow and decode.
			video.Call("setAttribute", "data-frames", frames)
			switch {
			case err == nil:
				unreadable = 0
				reads++
				video.Call("setAttribute", "data-reads", reads)
				k.handleCode(ctx, sc, res.Text)
			case errors.Is(err, scan.ErrUnreadable):
				unreadable++
				if unreadable == unreadableAfter {
					ctx.Dispatch(func(ctx app.Context) { k.hint = "scan.unreadable" })
				}
			case errors.Is(err, scan.ErrNotFound):
				if unreadable >= unreadableAfter {
					ctx.Dispatch(func(ctx app.Context) { k.hint = "" })
				}
				unreadable = 0
			default:
				// A bad frame is a bug here, not an empty entrance: say so.
				ctx.Dispatch(func(ctx app.Context) { k.cam.err = err })
			}
		}
		t := time.NewTimer(grabEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			// performance.now, not time.Now: it is monotonic, and tests set
			// the page's Date.
			start := perf.Call("now").Float()
			grab()
			took := time.Duration((perf.Call("now").Float() - start) * float64(time.Millisecond))
			t.Reset(grabPause(took))
		}
	})
}

// grabPause is the wait before the next frame after one whose grab and
// decode took took: what is left of grabEvery, and at least twice took.
func grabPause(took time.Duration) time.Duration {
	return max(grabEvery, 3*took) - took
}
