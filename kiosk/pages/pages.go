// Package pages holds punchclock's go-app pages and the routes both the
// browser (wasm/) and the server (punchd) register: go-app prerenders a
// page on the server and takes it over in the browser, so both sides must
// know the same routes.
//
// The pages are the kiosk screen (/: enrollment until the kiosk has an
// identity, then clock, rotating QR, camera with badge scanning and the
// status strip) and the manager's view (/manager: today's punches and the
// rejected ones). In the browser they share one Env (the outbox, the
// syncer, the roster cache) that wasm/main makes through Boot; the punch
// and enrollment logic lives on Env, in plain Go, so it is tested natively
// over memstore, while the components only draw and wire browser APIs.
//
// Every browser-only call (camera, canvas, audio, storage) happens in
// OnMount or later, never in Render, so the server can prerender the pages.
package pages

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Routes registers every page. Call it once, before app.RunWhenOnBrowser
// in the browser and before serving the Handler on the server.
func Routes() {
	app.Route("/", func() app.Composer { return &Kiosk{} })
	app.Route("/manager", func() app.Composer { return &Manager{} })
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
		// The manager's view must open offline too, from a reload as well
		// as from the kiosk's link: cache its page next to "/".
		CacheableResources: []string{"/manager"},
	}
}
