// Package pages holds punchclock's go-app pages and the routes both the
// browser (wasm/) and the server (punchd) register: go-app prerenders a
// page on the server and takes it over in the browser, so both sides must
// know the same routes.
package pages

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Routes registers every page. Call it once, before app.RunWhenOnBrowser
// in the browser and before serving the Handler on the server.
func Routes() {
	app.Route("/", func() app.Composer { return &Kiosk{} })
}

// Handler is the PWA handler with punchclock's manifest. version is the
// build's version: a kiosk updates when it changes, and shows it.
//
// Icons are served from /web: go-app's default icon lives on the internet,
// and one unreachable resource makes the service worker's cache.addAll
// fail as a whole, so the PWA would silently not work offline.
func Handler(version string) *app.Handler {
	return &app.Handler{
		Name:            "punchclock",
		ShortName:       "punchclock",
		Title:           "punchclock",
		Description:     "Attendance punch kiosk: badge, face and phone punches that work offline.",
		Lang:            "en",
		BackgroundColor: "#101418",
		ThemeColor:      "#101418",
		LoadingLabel:    "punchclock {progress}%",
		Icon:            app.Icon{Default: "/web/icon-192.png", Large: "/web/icon-512.png", SVG: "/web/icon.svg"},
		Styles:          []string{"/web/punchclock.css"},
		Version:         version,
	}
}

// Kiosk is the entrance tablet's screen.
type Kiosk struct {
	app.Compo
	now time.Time
}

// OnMount starts the clock; it runs in the browser only.
func (k *Kiosk) OnMount(ctx app.Context) {
	k.now = time.Now()
	ctx.Async(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				ctx.Dispatch(func(app.Context) { k.now = now })
			}
		}
	})
}

// Render draws the screen.
func (k *Kiosk) Render() app.UI {
	clock := "--:--"
	if !k.now.IsZero() {
		clock = k.now.Format("15:04:05")
	}
	return app.Main().Class("kiosk").Body(
		app.H1().Class("brand").Text("punchclock"),
		app.Div().Class("clock").ID("clock").Text(clock),
		app.P().Class("status").ID("status").Text("This kiosk is not enrolled yet. 本终端尚未注册。"),
	)
}
