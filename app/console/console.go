// Package console is punchclock's admin console: a go-app PWA that punchd
// serves at /admin/, built into its own WebAssembly binary (wasm/console,
// web/admin/app.wasm) so that the kiosk's app.wasm, which every tablet
// downloads, does not carry it.
//
// A person signs in with their account (POST /api/v1/auth/signin: a
// session cookie and a CSRF token sent back as X-CSRF-Token with every
// change); the console shows what their role may see, and punchd, not the
// console, decides: a section the server refuses says so and names
// nothing. What it has so far: the kiosks section (every kiosk's health
// as it reported it: last sync, punches waiting and the oldest, clock
// offset, version, face service, storage, camera, a kiosk that has not
// synced for an hour highlighted; enrolling a tablet with a one-time
// code; revoking one after a confirmation), the people section (import
// of employees from a spreadsheet, checked before it is written; badge
// sheets), the organisation section (the department tree of the
// person's scope: made, renamed, moved after a confirmation), the sites
// section (zone, address, face service, networks, and its geofences,
// circles and polygons, typed or drawn on a metric site plan without map
// tiles), and the rules section
// (shifts, rotations, weekly schedules, holidays with iCal import,
// overtime by day type, make-up caps and grace periods, checked next to
// each field by the rules' own validation and previewed before they are
// saved; and the approval matrix). English and Chinese.
//
// Like the kiosk pages, every browser call happens in OnMount or later,
// so punchd can prerender the page.
package console

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Prefix is where punchd serves the console; its page is Prefix + "/".
const Prefix = "/admin"

// Routes registers the console's page. The browser build (wasm/console)
// and punchd both call it: punchd to prerender the page, next to the
// kiosk's routes (which never start with Prefix).
func Routes() {
	app.Route(Prefix+"/", func() app.Composer { return &Console{} })
}

// Handler is the console's PWA handler. punchd gives it its Resources:
// the console's own app.js, service worker, manifest and app.wasm under
// Prefix, and the shared styles and icons under /web/.
func Handler(version string) *app.Handler {
	return &app.Handler{
		Name:            "punchclock console",
		ShortName:       "console",
		Title:           "punchclock console",
		Description:     "Set up and run punchclock: kiosks, people, rules and reports.",
		Lang:            "en",
		BackgroundColor: "#f6f7f9",
		ThemeColor:      "#101418",
		LoadingLabel:    "punchclock console {progress}%",
		Icon:            app.Icon{Default: "/web/icon-192.png", Large: "/web/icon-512.png", SVG: "/web/icon.svg"},
		Styles:          []string{"/web/console.css"},
		Version:         version,
		StartURL:        Prefix + "/",
	}
}
