package pages

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
	"punchclock/app/photo"
	"punchclock/app/rules"
)

// The field section of the phone page (#field, shown when the phone is
// ready): the fix the browser's Geolocation gives, watched for as long as
// the page is open; a "Punch here" button once the fix is usable; an
// optional live photo from the camera (a frame of the video, never a file
// from the gallery); and, after WeakAfter without a usable fix, the
// weak-GPS route: the place typed, for the manager to decide. Each fix is
// also queued as a location point (QueueLocation).

// fieldPhotoSide is the long side of a field punch's photo, in pixels.
const fieldPhotoSide = 1280

// wallNow is the phone's wall clock without its monotonic reading: the
// weak-GPS route's 15 minutes are counted on it, so a test moves them
// with the page's clock (e2etest.Clock). A phone whose clock jumps ahead
// is offered the route early, which only asks its manager sooner.
func wallNow(env *PhoneEnv) time.Time { return env.Clock().Round(0) }

// field is the phone page's field state.
type field struct {
	watch   FixWatch
	watchID app.Value
	onFix   app.Func
	onErr   app.Func

	// The live photo: the camera's stream while it shows, the frame
	// taken.
	cam    *camera
	photo  []byte
	camErr error

	place   string
	punch   bool // the page's punch is a field punch
	verdict rules.Verdict
	fence   string
}

// startWatch asks the browser for fixes, once the phone is activated.
func (p *Phone) startWatch() {
	if p.fld.onFix != nil || !p.activated || p.env == nil {
		return
	}
	env, mctx := p.env, p.mctx
	site, _, _ := env.Site(context.Background())
	p.fld.watch = FixWatch{Threshold: UsableM(site), Since: wallNow(env)}
	geo := app.Window().Get("navigator").Get("geolocation")
	if !geo.Truthy() {
		p.fld.watch.Denied = true
		return
	}
	p.fld.onFix = app.FuncOf(func(_ app.Value, args []app.Value) any {
		c := args[0].Get("coords")
		l := attendance.Location{Lat: c.Get("latitude").Float(), Lng: c.Get("longitude").Float(), AccuracyM: c.Get("accuracy").Float(), Datum: "wgs84"}
		mctx.Dispatch(func(app.Context) {
			p.fld.watch.Add(Fix{Location: l, At: wallNow(env)})
		})
		mctx.Async(func() {
			if ok, err := env.QueueLocation(context.WithoutCancel(mctx), l); ok && err == nil {
				env.sendLocations(context.WithoutCancel(mctx))
			}
		})
		return nil
	})
	p.fld.onErr = app.FuncOf(func(_ app.Value, args []app.Value) any {
		denied := len(args) > 0 && args[0].Get("code").Int() == 1
		mctx.Dispatch(func(app.Context) { p.fld.watch.Denied = denied })
		return nil
	})
	p.fld.watchID = geo.Call("watchPosition", p.fld.onFix, p.fld.onErr,
		map[string]any{"enableHighAccuracy": true, "maximumAge": 0, "timeout": 60000})
}

// stopWatch ends the watch and the camera.
func (p *Phone) stopWatch() {
	if p.fld.onFix != nil {
		app.Window().Get("navigator").Get("geolocation").Call("clearWatch", p.fld.watchID)
		p.fld.onFix.Release()
		p.fld.onErr.Release()
		p.fld.onFix, p.fld.onErr = nil, nil
	}
	if p.fld.cam != nil {
		p.fld.cam.stop()
		p.fld.cam = nil
	}
}

// openCamera shows the live camera for the field photo.
func (p *Phone) openCamera(ctx app.Context, e app.Event) {
	if p.fld.cam != nil {
		return
	}
	cam := &camera{}
	p.fld.cam, p.fld.camErr = cam, nil
	md := app.Window().Get("navigator").Get("mediaDevices")
	if !md.Truthy() || !md.Get("getUserMedia").Truthy() {
		p.fld.cam, p.fld.camErr = nil, errors.New("this page has no camera access (it needs https or localhost)")
		return
	}
	mctx := p.mctx
	mctx.Async(func() {
		stream, err := photo.Await(md.Call("getUserMedia", map[string]any{"audio": false, "video": map[string]any{"facingMode": "user"}}))
		mctx.Dispatch(func(app.Context) {
			if err != nil {
				p.fld.cam, p.fld.camErr = nil, err
				return
			}
			cam.stream = stream
			if cam.stopped {
				cam.stop()
				return
			}
			video := app.Window().GetElementByID("field-video")
			video.Set("srcObject", stream)
			video.Call("play")
		})
	})
}

// takePhoto keeps the video's current frame as the punch's photo.
func (p *Phone) takePhoto(ctx app.Context, e app.Event) {
	cam := p.fld.cam
	if cam == nil || cam.stream == nil {
		return
	}
	video := app.Window().GetElementByID("field-video")
	mctx := p.mctx
	mctx.Async(func() {
		data, err := photo.Redraw(video, fieldPhotoSide, photoQuality)
		mctx.Dispatch(func(app.Context) {
			p.fld.photo, p.fld.camErr = data, err
			if err == nil {
				cam.stop()
				p.fld.cam = nil
			}
		})
	})
}

// dropPhoto forgets the photo taken (or closes the camera).
func (p *Phone) dropPhoto(ctx app.Context, e app.Event) {
	if p.fld.cam != nil {
		p.fld.cam.stop()
		p.fld.cam = nil
	}
	p.fld.photo, p.fld.camErr = nil, nil
}

// punchGPS commits a field punch: by the usable fix, or (weak) by the
// place typed with the weak fix if any.
func (p *Phone) punchGPS(weak bool) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if p.env == nil || p.busy {
			return
		}
		var loc *attendance.Location
		place := ""
		now := wallNow(p.env)
		if l, ok := p.fld.watch.Usable(now); ok && !weak {
			loc = &l
		} else if weak {
			place = p.fld.place
			if p.fld.watch.Last != nil {
				l := p.fld.watch.Last.Location
				loc = &l
			}
		} else {
			return
		}
		p.busy, p.punchID, p.punchErr, p.fld.punch = true, "", nil, true
		env, mctx, photoData := p.env, p.mctx, p.fld.photo
		mctx.Async(func() {
			bg := context.WithoutCancel(mctx)
			res, err := env.PunchGPS(bg, loc, place, photoData)
			mctx.Dispatch(func(ctx app.Context) {
				p.busy, p.punchID, p.punchErr = false, res.ID, err
				p.fld.verdict, p.fld.fence = res.Verdict, res.Fence
				p.punchDir, p.punchLate = attendance.DirectionNone, 0
				if err == nil {
					p.fld.photo, p.fld.place = nil, ""
				}
			})
		})
	}
}

// punchAgain leaves the result of a field punch for the field section.
func (p *Phone) punchAgain(ctx app.Context, e app.Event) {
	p.punchID, p.punchErr, p.fld.punch, p.fld.verdict, p.fld.fence = "", nil, false, "", ""
}

// renderField is the field section.
func (p *Phone) renderField() app.UI {
	l := p.lang
	w := &p.fld.watch
	now := wallNow(p.env)
	fix, usable := w.Usable(now)
	weak := w.Weak(now)
	state, status := "none", l.T("field.waiting")
	switch {
	case usable:
		state, status = "usable", l.T("field.fix", strconv.Itoa(int(fix.AccuracyM+0.5)))
	case w.Denied:
		state, status = "denied", l.T("field.denied")
	case w.Last != nil:
		state, status = "weak", l.T("field.weakFix", strconv.Itoa(int(w.Last.Location.AccuracyM+0.5)), strconv.Itoa(int(w.Threshold)))
	}
	var body []app.UI
	body = append(body, app.H2().Text(l.T("field.title")), app.P().Class("notice").ID("fix-status").Text(status))
	switch {
	case p.fld.cam != nil:
		body = append(body, app.Video().ID("field-video").Class("field-video").Attr("playsinline", true).Attr("muted", true),
			app.Div().Class("actions").Body(
				app.Button().Class("button").ID("photo-take").Text(l.T("field.take")).OnClick(p.takePhoto),
				app.Button().Class("button").ID("photo-cancel").Text(l.T("field.cancel")).OnClick(p.dropPhoto),
			))
	case p.fld.photo != nil:
		body = append(body, app.P().Class("notice").ID("photo-taken").DataSet("bytes", len(p.fld.photo)).Text(l.T("field.photoTaken")),
			app.Button().Class("button").ID("photo-drop").Text(l.T("field.drop")).OnClick(p.dropPhoto))
	default:
		body = append(body, app.Button().Class("button").ID("photo-open").Text(l.T("field.photo")).OnClick(p.openCamera))
	}
	if p.fld.camErr != nil {
		body = append(body, app.P().Class("error").ID("photo-error").Text(errorText(l, p.fld.camErr)))
	}
	body = append(body, app.Button().Class("button primary").ID("gps-punch").Disabled(!usable || p.busy).
		Text(l.T("field.punch")).OnClick(p.punchGPS(false)))
	if weak {
		body = append(body, app.Div().Class("weak-gps").ID("weak-gps").Body(
			app.P().Class("notice").Text(l.T("field.weakRoute")),
			app.Input().Type("text").Class("reason-input").ID("weak-place").MaxLength(attendance.MaxPlace).Placeholder(l.T("field.place")).
				Value(p.fld.place).OnInput(func(ctx app.Context, e app.Event) { p.fld.place = ctx.JSSrc().Get("value").String() }),
			app.Button().Class("button").ID("weak-punch").Disabled(p.busy).Text(l.T("field.weakPunch")).OnClick(p.punchGPS(true)),
		))
	}
	if errors.Is(p.punchErr, ErrNoPlace) && p.fld.punch {
		body = append(body, app.P().Class("error").ID("weak-error").Text(l.T("field.noPlace")))
	}
	return app.Section().Class("phone-field").ID("field").DataSet("fix", state).DataSet("weak", weak).
		DataSet("threshold", int(w.Threshold)).Body(body...)
}

// fieldDetail says where the phone placed its field punch.
func (p *Phone) fieldDetail() string {
	switch p.fld.verdict {
	case rules.Inside:
		return p.lang.T("field.inside", p.fld.fence)
	case rules.Outside:
		return p.lang.T("field.outside")
	case rules.Uncertain:
		return p.lang.T("field.uncertain")
	}
	return ""
}
