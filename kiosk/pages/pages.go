// Package pages holds punchclock's go-app pages and the routes both the
// browser (wasm/) and the server (punchd) register: go-app prerenders a
// page on the server and takes it over in the browser, so both sides must
// know the same routes.
//
// The pages are the kiosk screen (/: enrollment until the kiosk has an
// identity, then clock, rotating QR, camera with badge scanning and the
// status strip), the manager's view (/manager: today's punches and the
// rejected ones) and the employee's phone page (/p: activation by a
// one-time link, then punches with the kiosk's rotating QR). The kiosk
// pages share one Env (the outbox, the syncer, the roster cache) that
// wasm/main makes through Boot; the phone page has its own, over its own
// database (PhoneEnv, made through BootPhone). The punch, enrollment and
// activation logic lives on them, in plain Go, so it is tested natively
// over memstore, while the components only draw and wire browser APIs.
//
// Every browser-only call (camera, canvas, audio, storage) happens in
// OnMount or later, never in Render, so the server can prerender the pages.
package pages

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/token"
)

// Routes registers every page. Call it once, before app.RunWhenOnBrowser
// in the browser and before serving the Handler on the server.
func Routes() {
	app.Route("/", func() app.Composer { return &Kiosk{} })
	app.Route("/manager", func() app.Composer { return &Manager{} })
	app.Route(token.PhonePath, func() app.Composer { return &Phone{} })
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
		// as from the kiosk's link: cache its page next to "/"; and so
		// must the phone page, whatever kiosk token its query carries
		// (see ServiceWorkerTemplate).
		CacheableResources:    []string{"/manager", token.PhonePath},
		ServiceWorkerTemplate: ServiceWorkerTemplate(),
	}
}

// defaultFetch is the fetch handler of go-app's service worker
// (app.DefaultAppWorkerJS, go-app v10.1.11), which ServiceWorkerTemplate
// replaces.
const defaultFetch = `async function fetchWithCache(request) {
  const cachedResponse = await caches.match(request);
  if (cachedResponse) {
    return cachedResponse;
  }
  return await fetch(request);
}`

// pageFetch is punchclock's fetch handler: go-app's, plus a fallback for
// page loads whose URL has a query. Every page is the same app shell
// (the query is read by the page, in the browser), but the cache holds
// each page under its bare path, and caches.match compares the query too:
// the phone page opened from a kiosk's QR (/p?t=TOKEN, a new token every
// ten seconds) would otherwise never load offline.
const pageFetch = `async function fetchWithCache(request) {
  const cachedResponse = await caches.match(request);
  if (cachedResponse) {
    return cachedResponse;
  }
  if (request.mode === "navigate") {
    // punchclock: a page with a query is its bare page (/p?t=... is /p).
    const page = await caches.match(request, { ignoreSearch: true });
    if (page) {
      return page;
    }
  }
  return await fetch(request);
}`

// ServiceWorkerTemplate is go-app's service worker (app.DefaultAppWorkerJS)
// with one change: a navigation whose URL is not cached as such is served
// the cached page of the same path, ignoring the query (pageFetch). The rest
// (install, the resources to cache, activation, notifications) is go-app's
// own, for the go-app version in go.mod; a test fails if an upgrade changes
// the fetch handler this replaces. It is empty in the browser build, where
// go-app has no worker template and the Handler is not served.
func ServiceWorkerTemplate() string {
	return strings.Replace(app.DefaultAppWorkerJS, defaultFetch, pageFetch, 1)
}
