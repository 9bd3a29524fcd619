// Command console is the admin console's WebAssembly build (package
// app/console): `make wasm` builds it into web/admin/app.wasm, next to the
// kiosk's web/app.wasm, and punchd serves it at /admin/.
package main

import (
	_ "time/tzdata" // sites' zones and iCal TZIDs: the browser has no zone database for Go

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/console"
)

func main() {
	console.Routes()
	console.SetClient(httpClient)
	app.RunWhenOnBrowser()
}
