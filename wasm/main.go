// Command wasm is the kiosk PWA's entry point for GOOS=js: it registers
// the pages and hands the page to go-app. Build it into web/app.wasm with
// `make wasm`.
package main

import (
	_ "time/tzdata" // the browser has no zone database for Go

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/kiosk/pages"
)

func main() {
	pages.Routes()
	app.RunWhenOnBrowser()
}
