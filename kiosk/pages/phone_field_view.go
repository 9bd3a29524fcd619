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

// The field punch's photo: a JPEG of fieldPhotoSide pixels on its long
// side at fieldPhotoQuality, which fits attendance.MaxPhoto.
const (
	fieldPhotoSide    = 400
	fieldPhotoQuality = 0.6
)

// wallNow is the phone's wall clock without its monotonic reading: the
// weak-GPS route's 15 minutes are counted on it, so a test moves them
// with the page's clock (e2etest.Clock). A phone whose clock jumps ahead
// is offered the route early, which only asks its manager sooner.
func wallNow(env *PhoneEnv) time.Time { return env.Clock().Round(0) }

// field is the phone page's field state.
type field struct {
	started bool // the watch started (a browser without Geolocation too)
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
	if p.fld.started || !p.activated || p.env == nil {
		return
	}
	p.fld.started = true
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
	p.fld.started = false
	if p.fld.cam != nil {
		p.fld.cam.stop()
		p.fld.cam = nil
	}
}

// photoTap opens the live camera for the field photo, or, once it
// shows, keeps the video's current frame as the punch's photo (a frame
// of the camera, never a file from the gallery).
func (p *Phone) photoTap(ctx app.Context, e app.Event) {
	cam, mctx := p.fld.cam, p.mctx
	if cam != nil && cam.stream == nil {
		return // still asking for the camera
	}
	open := cam == nil
	if open {
		cam = &camera{}
		p.fld.cam, p.fld.camErr = cam, nil
	}
	video := app.Window().GetElementByID("field-video")
	mctx.Async(func() {
		var stream app.Value
		var data []byte
		var err error
		if open {
			stream, err = photo.Await(app.Window().Get("navigator").Get("mediaDevices").Call("getUserMedia", map[string]any{"audio": false, "video": true}))
		} else {
			data, err = photo.Redraw(video, fieldPhotoSide, fieldPhotoQuality)
			if err == nil && len(data) > attendance.MaxPhoto {
				err = ErrPhotoLarge
			}
		}
		mctx.Dispatch(func(app.Context) {
			p.fld.camErr = err
			switch {
			case err != nil && open:
				p.fld.cam = nil
			case open:
				cam.stream = stream
				v := app.Window().GetElementByID("field-video")
				v.Set("srcObject", stream)
				v.Call("play")
			case err == nil:
				p.fld.photo = data
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

// punchHere commits a field punch by the usable fix.
func (p *Phone) punchHere(ctx app.Context, e app.Event) { p.punchGPS(false) }

// punchWeak commits a field punch on the weak-GPS route.
func (p *Phone) punchWeak(ctx app.Context, e app.Event) { p.punchGPS(true) }

// punchGPS commits a field punch: by the usable fix, or (weak) by the
// place typed with the weak fix if any.
func (p *Phone) punchGPS(weak bool) {
	{
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
	// The photo: a button that opens the camera, then takes the frame;
	// another that closes it or drops the photo taken.
	photoID, photoKey, drop := "photo-open", "field.photo", ""
	switch {
	case p.fld.cam != nil:
		photoID, photoKey, drop = "photo-take", "field.take", "field.cancel"
	case p.fld.photo != nil:
		photoID, photoKey, drop = "photo-taken", "field.photoTaken", "field.drop"
	}
	msg := ""
	switch {
	case p.fld.camErr != nil:
		msg = errorText(l, p.fld.camErr)
	case errors.Is(p.punchErr, ErrNoPlace) && p.fld.punch:
		msg = l.T("field.noPlace")
	}
	body := []app.UI{
		app.H2().Text(l.T("field.title")),
		app.P().Class("notice").ID("fix-status").Text(status),
		app.If(p.fld.cam != nil, func() app.UI {
			return app.Video().ID("field-video").Class("field-video").Attr("playsinline", true).Attr("muted", true)
		}),
		app.Button().Class("button").ID(photoID).Disabled(p.fld.photo != nil).Text(l.T(photoKey)).OnClick(p.photoTap),
		app.If(drop != "", func() app.UI {
			return app.Button().Class("button").ID("photo-drop").Text(l.T(drop)).OnClick(p.dropPhoto)
		}),
		app.Button().Class("button primary").ID("gps-punch").Disabled(!usable || p.busy).Text(l.T("field.punch")).OnClick(p.punchHere),
		app.If(weak, func() app.UI {
			return app.Div().Class("weak-gps").ID("weak-gps").Body(
				app.P().Class("notice").Text(l.T("field.weakRoute")),
				app.Input().Type("text").Class("reason-input").ID("weak-place").MaxLength(attendance.MaxPlace).Placeholder(l.T("field.place")).
					Value(p.fld.place).OnInput(p.onPlace),
				app.Button().Class("button").ID("weak-punch").Disabled(p.busy).Text(l.T("field.weakPunch")).OnClick(p.punchWeak),
			)
		}),
		app.If(msg != "", func() app.UI { return app.P().Class("error").ID("field-error").Text(msg) }),
	}
	return app.Section().Class("phone-field").ID("field").DataSet("fix", state).DataSet("weak", weak).Body(body...)
}

// onPlace keeps the place typed on the weak-GPS route.
func (p *Phone) onPlace(ctx app.Context, e app.Event) {
	p.fld.place = ctx.JSSrc().Get("value").String()
}

// fieldAfter is what follows a field punch's result: where the phone
// placed it, and the button back to the field section.
func (p *Phone) fieldAfter() app.UI {
	if !p.fld.punch || p.busy {
		return app.Text("")
	}
	where := ""
	switch v := p.fld.verdict; {
	case p.punchErr != nil || v == "":
	case v == rules.Inside:
		where = p.lang.T("field.inside", p.fld.fence)
	default:
		where = p.lang.T("field." + string(v))
	}
	return app.Div().Class("confirm").ID("field-after").DataSet("verdict", string(p.fld.verdict)).Body(
		app.P().Class("what").ID("result-where").Text(where),
		app.Button().Class("button").ID("punch-again").Text(p.lang.T("field.again")).OnClick(p.punchAgain),
	)
}
