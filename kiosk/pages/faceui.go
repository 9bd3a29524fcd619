package pages

// Face punching on the kiosk screen: the health check of the site's face
// service, the face guide over the preview, attempts started by a tap on
// "Face" or by motion, frames grabbed from the preview as JPEG, and the
// messages. The logic it drives is in face.go.

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/kiosk/outbox"
)

// Health check rhythm: a ready service is checked every faceCheckReady so
// the strip says "unavailable" soon after it goes down; an unavailable
// one more often, so face punching comes back quickly.
const (
	faceCheckReady = 10 * time.Second
	faceCheckDown  = 5 * time.Second
	faceCheckLimit = 3 * time.Second
	// faceNoticeFor is how long an attempt's outcome stays on screen.
	faceNoticeFor = 6 * time.Second
	// faceQuiet is the pause after an attempt before motion may start
	// another, so the person reading the message is not scanned again.
	faceQuiet = 3 * time.Second
	// faceWidth and faceQuality shape the frames sent: the service's
	// detector is tuned for 640x480 kiosk frames, and a 0.8 JPEG of one is
	// 30 to 60 KB, a few milliseconds on a LAN.
	faceWidth   = 640
	faceQuality = 0.8
)

// The face service's state as the status strip shows it.
const (
	faceNone        = "none" // the site has no face service
	faceChecking    = "checking"
	faceReady       = "ready"
	faceUnavailable = "unavailable"
)

// faceCtl is the face punching state. The health loop, the camera loop and
// the attempt run in goroutines and the screen reads it while drawing, so
// it has its own lock; changes are drawn through a Dispatch.
type faceCtl struct {
	mu       sync.Mutex
	state    string
	url      string
	liveness bool
	err      error
	// insecure is set when the page is https and the face service http:
	// the browser blocks the calls (faceMixedContent).
	insecure bool

	active bool
	auto   bool
	step   string // message key on the face guide
	cancel context.CancelFunc

	notice      string // message key of the last outcome
	noticeErr   error
	noticeUntil time.Time
	quietUntil  time.Time

	motion motion
	// Figures of the last attempt, on the face panel's data attributes:
	// frames sent, and milliseconds from the first frame to the
	// confirmation on screen.
	frames int
	ms     int64
	kick   chan struct{}
}

// faceView is a copy of faceCtl for drawing.
type faceView struct {
	state, step, notice        string
	noticeErr                  error
	liveness, active, insecure bool
	frames                     int
	ms                         int64
}

func (f *faceCtl) view(now time.Time) faceView {
	if f == nil {
		return faceView{state: faceNone}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v := faceView{state: f.state, step: f.step, liveness: f.liveness, active: f.active, insecure: f.insecure, frames: f.frames, ms: f.ms}
	if v.state == "" {
		v.state = faceNone
	}
	if f.notice != "" && now.Before(f.noticeUntil) {
		v.notice, v.noticeErr = f.notice, f.noticeErr
	}
	return v
}

// cancelAttempt stops a running attempt (a badge was read meanwhile).
func (f *faceCtl) cancelAttempt() {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cancel != nil {
		f.cancel()
	}
}

// noop is a Dispatch that only redraws.
func noop(app.Context) {}

// newFaceClient makes the client of the face service at base for the
// kiosk id at site: it signs with the kiosk's key on the device clock.
func (e *Env) newFaceClient(id outbox.Identity, base, site string) *faceClient {
	return &faceClient{doer: e.Client, base: base, site: site, kiosk: id.DeviceID, key: id.Key, clock: e.Clock}
}

// startFace starts the health loop of the site's face service. It runs
// for the mount's life; the site is read again at every check, so a
// face_url changed by a pull is followed.
func (k *Kiosk) startFace() {
	if k.face != nil || k.env == nil {
		return
	}
	f := &faceCtl{state: faceChecking, kick: make(chan struct{}, 1)}
	k.face = f
	env, mctx := k.env, k.mctx
	page := app.Window().URL().String()
	mctx.Async(func() {
		for {
			site, _, err := env.Site(context.Background())
			base := strings.TrimRight(strings.TrimSpace(site.FaceURL), "/")
			state, liveness, insecure := faceNone, false, false
			switch {
			case err != nil || base == "":
			case faceMixedContent(page, base):
				// The browser would block every call: no need to try.
				state, insecure = faceUnavailable, true
			default:
				id, _ := env.Outbox.Identity()
				cctx, cancel := context.WithTimeout(mctx, faceCheckLimit)
				h, herr := env.newFaceClient(id, base, site.ID).health(cctx)
				cancel()
				err = herr
				state, liveness = faceReady, h.Liveness == "required"
				if herr != nil {
					state = faceUnavailable
				}
			}
			f.mu.Lock()
			changed := f.state != state || f.liveness != liveness || f.url != base || f.insecure != insecure
			f.url, f.liveness, f.err, f.insecure = base, liveness, err, insecure
			// An attempt that just failed to reach the service has said
			// "unavailable" already; a check must not flip it back to ready
			// while the attempt is still winding down.
			if !(f.active && state == faceReady && f.state == faceUnavailable) {
				f.state = state
			}
			f.mu.Unlock()
			if changed {
				mctx.Dispatch(noop)
			}
			every := faceCheckDown
			if state == faceReady {
				every = faceCheckReady
			}
			t := time.NewTimer(every)
			select {
			case <-mctx.Done():
				t.Stop()
				return
			case <-t.C:
			case <-f.kick:
				t.Stop()
			}
		}
	})
}

// onFaceTap starts an attempt from the "Face" button.
func (k *Kiosk) onFaceTap(ctx app.Context, e app.Event) {
	k.startFaceAttempt(false)
}

// faceMotion is called by the camera loop with each frame's pixels: an
// arrival in front of the camera starts an attempt when the face service
// is ready and the screen is free.
func (k *Kiosk) faceMotion(rgba []byte, w, h int) {
	f := k.face
	if f == nil {
		return
	}
	f.mu.Lock()
	arrived := f.motion.update(rgba, w, h)
	ok := arrived && f.state == faceReady && !f.active && k.env.Clock().After(f.quietUntil)
	f.mu.Unlock()
	if ok {
		k.mctx.Dispatch(func(ctx app.Context) {
			// Not over a confirmation: the person just punched.
			if k.confirm == nil {
				k.startFaceAttempt(true)
			}
		})
	}
}

// startFaceAttempt runs one face attempt in the background: frames at
// most every faceEvery to the site's service, then the punch on a match
// or the reason on the screen. It must be called on the UI goroutine.
func (k *Kiosk) startFaceAttempt(auto bool) {
	f, env, mctx := k.face, k.env, k.mctx
	if f == nil || env == nil || !k.enrolled {
		return
	}
	id, err := env.Outbox.Identity()
	if err != nil {
		return
	}
	f.mu.Lock()
	if f.active || f.state != faceReady {
		f.mu.Unlock()
		return
	}
	actx, cancel := context.WithCancel(mctx)
	f.active, f.auto, f.cancel, f.notice = true, auto, cancel, ""
	f.step = "face.look"
	if f.liveness {
		f.step = "face.turn"
	}
	a := &faceAttempt{
		client:   env.newFaceClient(id, f.url, k.site.ID),
		grab:     newFrameGrabber(),
		wait:     pause,
		clock:    env.Clock,
		liveness: f.liveness,
		auto:     auto,
		step: func(key string) {
			f.mu.Lock()
			changed := f.step != key
			f.step = key
			f.mu.Unlock()
			if changed {
				mctx.Dispatch(noop)
			}
		},
	}
	f.mu.Unlock()
	mctx.Async(func() {
		defer cancel()
		end := a.run(actx)
		var c *Confirmation
		if end.Result.Verdict == VerdictMatch {
			// Not the attempt's context: a badge read now must not abort
			// the write of a punch already decided.
			cc := env.PunchFace(context.WithoutCancel(mctx), end.Result)
			c = &cc
		}
		mctx.Dispatch(func(ctx app.Context) {
			now := env.Clock()
			f.mu.Lock()
			f.active, f.cancel, f.step = false, nil, ""
			f.frames = end.Frames
			f.quietUntil = now.Add(faceQuiet)
			if end.Liveness {
				f.liveness = true
			}
			if end.Notice != "" {
				f.notice, f.noticeErr, f.noticeUntil = end.Notice, end.Err, now.Add(faceNoticeFor)
			}
			if errors.Is(end.Err, ErrFaceUnreachable) {
				f.state, f.err = faceUnavailable, end.Err
				select {
				case f.kick <- struct{}{}:
				default:
				}
			}
			if c != nil && !end.First.IsZero() {
				f.ms = now.Sub(end.First).Milliseconds()
			}
			f.mu.Unlock()
			if c != nil {
				k.confirm = c
				k.confirmUntil = now.Add(confirmFor)
				k.noteStored(*c)
				k.hint = ""
				k.refresh(ctx)
			}
		})
		switch {
		case c != nil:
			beep(c.Outcome == Recorded)
		case end.Notice != "":
			beep(false)
		}
	})
	mctx.Dispatch(noop)
}

// pause waits d unless ctx ends first.
func pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// newFrameGrabber returns a function that draws the preview's current
// frame, at most faceWidth wide, into a canvas of its own and encodes it
// as JPEG. toDataURL is synchronous, which keeps the loop simple; the
// encode of a 640x480 frame takes a few milliseconds.
func newFrameGrabber() func(ctx context.Context) ([]byte, error) {
	var canvas, g2d app.Value
	return func(ctx context.Context) ([]byte, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		video := app.Window().GetElementByID("camera")
		if !video.Truthy() || video.Get("readyState").Int() < 2 {
			return nil, errNoPicture
		}
		vw, vh := video.Get("videoWidth").Int(), video.Get("videoHeight").Int()
		if vw == 0 || vh == 0 {
			return nil, errNoPicture
		}
		w, h := vw, vh
		if w > faceWidth {
			w, h = faceWidth, vh*faceWidth/vw
		}
		if canvas == nil {
			canvas = app.Window().Get("document").Call("createElement", "canvas")
		}
		if g2d == nil || canvas.Get("width").Int() != w || canvas.Get("height").Int() != h {
			canvas.Set("width", w)
			canvas.Set("height", h)
			g2d = canvas.Call("getContext", "2d")
		}
		g2d.Call("drawImage", video, 0, 0, w, h)
		url := canvas.Call("toDataURL", "image/jpeg", faceQuality).String()
		const prefix = "data:image/jpeg;base64,"
		if !strings.HasPrefix(url, prefix) {
			return nil, errors.New("pages: this browser cannot encode JPEG frames")
		}
		b, err := base64.StdEncoding.DecodeString(url[len(prefix):])
		if err != nil {
			return nil, err
		}
		return b, nil
	}
}

// renderFaceGuide is the oval over the preview while an attempt runs,
// with what to do.
func (k *Kiosk) renderFaceGuide() app.UI {
	v := k.face.view(k.clock())
	if !v.active {
		return nil
	}
	return app.Div().Class("face-guide").ID("face-guide").DataSet("step", v.step).Body(
		app.Div().Class("face-oval"),
		app.P().Class("face-step").Text(k.lang.T(v.step)),
	)
}

// renderFace is the face panel under the confirmation: the "Face" button
// when the service is ready, the last attempt's outcome, or the notice
// that face punching is unavailable. Its data attributes carry the state
// and the last attempt's figures for tests and technicians.
func (k *Kiosk) renderFace() app.UI {
	v := k.face.view(k.clock())
	if v.state == faceNone {
		return nil
	}
	l := k.lang
	state := v.state
	var msg app.UI
	switch {
	case v.active:
		state = "active"
	case v.notice != "":
		state = "notice"
		text := l.T(v.notice)
		if v.notice == "face.error" {
			text = l.T(v.notice, errorText(l, v.noticeErr))
		}
		msg = app.P().Class("face-notice").ID("face-notice").DataSet("notice", strings.TrimPrefix(v.notice, "face.")).Text(text)
	case v.state == faceUnavailable && v.insecure:
		msg = app.P().Class("face-notice").ID("face-notice").DataSet("notice", "insecure").Text(l.T("face.insecure"))
	case v.state == faceUnavailable:
		msg = app.P().Class("face-notice").ID("face-notice").DataSet("notice", "down").Text(l.T("face.down"))
	}
	return app.Div().Class("face-panel "+state).ID("face").
		DataSet("state", state).
		DataSet("frames", strconv.Itoa(v.frames)).
		DataSet("ms", strconv.FormatInt(v.ms, 10)).
		Body(
			app.If(v.state == faceReady && !v.active, func() app.UI {
				return app.Button().Class("button primary face-start").ID("face-start").Text(l.T("face.start")).OnClick(k.onFaceTap)
			}),
			msg,
		)
}

// faceStatus is the status strip's face item ("" when the site has no face
// service).
func (k *Kiosk) faceStatus() (state, text string) {
	v := k.face.view(k.clock())
	switch v.state {
	case faceReady:
		return v.state, k.lang.T("face.ready")
	case faceUnavailable:
		return v.state, k.lang.T("face.unavailable")
	case faceChecking:
		return v.state, k.lang.T("face.checkingService")
	}
	return faceNone, ""
}

// clock is the device clock, or the zero time before the Env exists
// (prerendering on the server).
func (k *Kiosk) clock() time.Time {
	if k.env == nil || k.env.Clock == nil {
		return time.Time{}
	}
	return k.env.Clock()
}
